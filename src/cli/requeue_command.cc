#include "cli/requeue_command.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/client_support.h"
#include "cli/exit_codes.h"
#include "client/table_text.h"

namespace allot {
namespace {

struct RequeueFlags {
  std::string server_dir;
  std::vector<std::string> refs;
  bool failed = false;
};

int Requeue(const RequeueFlags& f) {
  if (f.refs.empty() == !f.failed) {
    fmt::print(stderr, "allot requeue: give task ids (or patterns like 'sim-*') or --failed\n");
    return kExitBadInput;
  }
  int exit_code = kExitOk;
  std::optional<ApiClient> client = ConnectOrReport("requeue", f.server_dir, &exit_code);
  if (!client) return exit_code;
  Result<nlohmann::json> answer = client->Requeue(f.refs, f.failed);
  if (!answer.ok()) return ReportClientError("requeue", answer.status());
  const nlohmann::json& tasks = (*answer)["tasks"];
  if (tasks.is_array()) {
    if (tasks.empty()) fmt::print("no failed tasks to requeue\n");
    for (const nlohmann::json& t : tasks) {
      fmt::print("{}: {}\n", CellText(t, "id"), CellText(t, "state"));
    }
  }
  return kExitOk;
}

}  // namespace

void AddRequeueCommand(CLI::App* app, int* exit_code) {
  auto f = std::make_shared<RequeueFlags>();
  CLI::App* cmd = app->add_subcommand(
      "requeue",
      "Run failed or canceled tasks again with a fresh retry budget (like Slurm's scontrol "
      "requeue); the dependents skipped because of them wait for them again");
  cmd->footer(
      "Earlier attempts stay in the journal and in `allot status TASK`; the next attempt is "
      "the last one + 1.\nAll or nothing: an unknown ref, or a task that is not failed or "
      "canceled, is named and nothing changes.\nExit: 0 done; 2 bad ref, not possible now, or "
      "no server; 3 the server cannot be reached.");
  cmd->add_option("refs", f->refs, "Task ids, or patterns as depends_on takes them ('sim-*')");
  cmd->add_flag("--failed", f->failed, "Every failed task");
  AddServerDirOption(cmd, &f->server_dir);
  cmd->callback([f, exit_code] { *exit_code = Requeue(*f); });
}

}  // namespace allot
