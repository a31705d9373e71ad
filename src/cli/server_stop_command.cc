#include "cli/server_stop_command.h"

#include <memory>

#include <fmt/format.h>

#include "cli/client_support.h"
#include "cli/exit_codes.h"

namespace allot {
namespace {

struct ServerStopFlags {
  std::string server_dir;
  bool kill = false;
};

int StopServer(const ServerStopFlags& f) {
  int exit_code = kExitOk;
  std::optional<ApiClient> client = ConnectOrReport("server stop", f.server_dir, &exit_code);
  if (!client) return exit_code;
  Result<nlohmann::json> answer = client->StopServer(f.kill);
  if (!answer.ok()) return ReportClientError("server stop", answer.status());
  fmt::print("the allot server at {} is stopping\n", client->url());
  return kExitOk;
}

}  // namespace

void AddServerStopCommand(CLI::App* server, int* exit_code) {
  auto f = std::make_shared<ServerStopFlags>();
  CLI::App* cmd = server->add_subcommand(
      "stop", "Stop the server: its workers' tasks are stopped (they become preempted) and it exits");
  cmd->footer("Exit: 0 the server is stopping; 2 no server in the directory; 3 it cannot be "
              "reached.");
  cmd->add_flag("--kill", f->kill, "Kill the tasks at once (no SIGTERM and grace period)");
  AddServerDirOption(cmd, &f->server_dir);
  cmd->callback([f, exit_code] { *exit_code = StopServer(*f); });
}

}  // namespace allot
