#include "cli/worker_control_command.h"

#include <memory>

#include <fmt/format.h>

#include "cli/client_support.h"
#include "cli/exit_codes.h"
#include "client/table_text.h"

namespace allot {
namespace {

struct WorkerControlFlags {
  std::string server_dir;
  std::string worker;
};

int ControlWorker(const std::string& action, const WorkerControlFlags& f) {
  const std::string command = "worker " + action;
  int exit_code = kExitOk;
  std::optional<ApiClient> client = ConnectOrReport(command, f.server_dir, &exit_code);
  if (!client) return exit_code;
  Result<nlohmann::json> answer = client->ControlWorker(f.worker, action);
  if (!answer.ok()) return ReportClientError(command, answer.status());
  const nlohmann::json& worker = answer->contains("worker") ? (*answer)["worker"] : *answer;
  fmt::print("worker {}: {}\n", CellText(worker, "id") == "-" ? f.worker : CellText(worker, "id"),
             CellText(worker, "state"));
  return kExitOk;
}

}  // namespace

void AddWorkerControlCommands(CLI::App* worker, int* exit_code) {
  const std::pair<const char*, const char*> actions[] = {
      {"drain", "Let a worker finish its tasks and take no new ones, then stop (tasks with a "
                "checkpoint are asked for one and run again elsewhere from it)"},
      {"stop", "Stop a worker now: its tasks are stopped (they become preempted and run again)"},
  };
  for (const auto& [action, help] : actions) {
    auto f = std::make_shared<WorkerControlFlags>();
    CLI::App* cmd = worker->add_subcommand(action, help);
    cmd->footer("Exit: 0 done; 2 unknown worker or no server; 3 the server cannot be reached.");
    cmd->add_option("id", f->worker, "The worker's id (see `allot workers`)")->required();
    AddServerDirOption(cmd, &f->server_dir);
    std::string name = action;
    cmd->callback([name, f, exit_code] { *exit_code = ControlWorker(name, *f); });
  }
}

}  // namespace allot
