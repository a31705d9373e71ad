#include "cli/control_command.h"

#include <memory>

#include <fmt/format.h>

#include "cli/client_support.h"
#include "cli/exit_codes.h"
#include "client/table_text.h"

namespace allot {
namespace {

struct ControlFlags {
  std::string server_dir;
  std::vector<std::string> refs;
};

int Control(const std::string& action, const ControlFlags& f) {
  int exit_code = kExitOk;
  std::optional<ApiClient> client = ConnectOrReport(action, f.server_dir, &exit_code);
  if (!client) return exit_code;
  Result<nlohmann::json> answer = client->Control(action, f.refs);
  if (!answer.ok()) return ReportClientError(action, answer.status());
  const nlohmann::json& tasks = (*answer)["tasks"];
  if (tasks.is_array()) {
    for (const nlohmann::json& t : tasks) {
      fmt::print("{}: {}\n", CellText(t, "id"), CellText(t, "state"));
    }
  }
  return kExitOk;
}

}  // namespace

void AddControlCommands(CLI::App* app, int* exit_code) {
  const std::pair<const char*, const char*> actions[] = {
      {"cancel", "Cancel tasks: waiting/ready ones at once, running/paused ones get SIGTERM "
                 "(SIGKILL after their grace period); their dependents are skipped"},
      {"pause", "Pause running tasks (SIGSTOP; they keep their resources)"},
      {"resume", "Resume paused tasks (SIGCONT)"},
      {"skip", "Skip waiting/ready/held tasks: their dependents proceed as if they had succeeded"},
      {"hold", "Hold waiting/ready tasks: they do not start until released"},
      {"release", "Release held tasks: they start when their dependencies allow"},
      {"checkpoint", "Ask running tasks that declare a checkpoint for one now (their checkpoint "
                     "signal); one that exits with its checkpoint exit code runs again from it"},
  };
  for (const auto& [action, help] : actions) {
    auto f = std::make_shared<ControlFlags>();
    CLI::App* cmd = app->add_subcommand(action, help);
    cmd->footer(
        "A pattern ('sim-L8-*', 'post-?', as in depends_on; quote it) acts on the tasks it matches "
        "that can take the action and leaves the others.\nAll or nothing: an unknown ref, a "
        "pattern matching no task (or none that can take it), or a task that cannot take the "
        "action is named and nothing changes.\nPrints each task's new state. Exit: 0 done; 2 bad "
        "ref, not possible now, or no server; 3 the server cannot be reached.");
    cmd->add_option("refs", f->refs,
                    "Task ids, <id>@<attempt> (must be the current attempt), or patterns with * "
                    "and ?")
        ->required();
    AddServerDirOption(cmd, &f->server_dir);
    std::string name = action;
    cmd->callback([name, f, exit_code] { *exit_code = Control(name, *f); });
  }
}

}  // namespace allot
