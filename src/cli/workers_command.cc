#include "cli/workers_command.h"

#include <chrono>
#include <memory>

#include <fmt/format.h>

#include "cli/client_support.h"
#include "cli/exit_codes.h"
#include "client/worker_table.h"

namespace allot {
namespace {

struct WorkersFlags {
  std::string server_dir;
  bool json = false;
};

int ListWorkers(const WorkersFlags& f) {
  int exit_code = kExitOk;
  std::optional<ApiClient> client = ConnectOrReport("workers", f.server_dir, &exit_code);
  if (!client) return exit_code;
  Result<nlohmann::json> answer = client->Workers();
  if (!answer.ok()) return ReportClientError("workers", answer.status());
  if (f.json) {
    fmt::print("{}\n", answer->dump(2));
    return kExitOk;
  }
  const int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  fmt::print("{}", FormatWorkerTable((*answer)["workers"], now_us));
  return kExitOk;
}

}  // namespace

void AddWorkersCommand(CLI::App* app, int* exit_code) {
  auto f = std::make_shared<WorkersFlags>();
  CLI::App* cmd = app->add_subcommand("workers", "List the server's workers");
  cmd->footer("Exit: 0 listed; 2 no server; 3 the server cannot be reached.");
  cmd->add_flag("--json", f->json, "Print the server's answer ({\"workers\": [...]})");
  AddServerDirOption(cmd, &f->server_dir);
  cmd->callback([f, exit_code] { *exit_code = ListWorkers(*f); });
}

}  // namespace allot
