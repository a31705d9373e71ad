#include "cli/cluster_status_command.h"

#include <memory>
#include <string>

#include <fmt/format.h>

#include "cli/client_support.h"
#include "cli/exit_codes.h"
#include "client/table_text.h"

namespace allot {
namespace {

struct ClusterStatusFlags {
  std::string server_dir;
  std::string task;
};

// The word for a task state (model/task_state.h's names).
std::string_view Word(std::string_view state) {
  if (state == "succeeded") return "success";
  if (state == "failed" || state == "canceled" || state == "skipped") return "failed";
  return "running";
}

int ClusterStatus(const ClusterStatusFlags& f) {
  int exit_code = kExitOk;
  std::optional<ApiClient> client = ConnectOrReport("cluster-status", f.server_dir, &exit_code);
  if (!client) return exit_code;
  Result<nlohmann::json> answer = client->Task(f.task);
  if (!answer.ok()) {
    if (answer.status().code() == StatusCode::kNotFound) {
      fmt::print("failed\n");  // Snakemake asks about its own jobs: one unknown is lost
      return kExitOk;
    }
    return ReportClientError("cluster-status", answer.status());
  }
  fmt::print("{}\n", Word(CellText(*answer, "state")));
  return kExitOk;
}

}  // namespace

void AddClusterStatusCommand(CLI::App* app, int* exit_code) {
  auto f = std::make_shared<ClusterStatusFlags>();
  CLI::App* cmd = app->add_subcommand(
      "cluster-status",
      "Print running, success or failed for a task (Snakemake 7's --cluster-status)");
  cmd->footer("For `snakemake --cluster 'allot submit ...' --cluster-status 'allot "
              "cluster-status'`. An unknown task prints failed. Exit: 0 when a word was "
              "printed; 3 the server cannot be reached.");
  cmd->add_option("task", f->task, "The task id")->required();
  AddServerDirOption(cmd, &f->server_dir);
  cmd->callback([f, exit_code] { *exit_code = ClusterStatus(*f); });
}

}  // namespace allot
