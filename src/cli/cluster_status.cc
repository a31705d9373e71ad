#include "cli/cluster_status.h"

#include <fmt/format.h>

#include "cli/client_support.h"
#include "cli/exit_codes.h"
#include "client/table_text.h"
#include "client/task_table.h"
#include "model/task_state.h"

namespace allot {
namespace {

constexpr size_t kDefaultRows = 50;

int64_t CountOf(const nlohmann::json& counts, std::string_view state) {
  auto it = counts.find(std::string(state));
  return it != counts.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

}  // namespace

int ShowClusterStatus(const ClusterStatusOptions& o) {
  int exit_code = kExitOk;
  std::optional<ApiClient> client = ConnectOrReport("status", o.server_dir, &exit_code);
  if (!client) return exit_code;
  if (o.refs.size() == 1) {
    Result<nlohmann::json> task = client->Task(o.refs[0]);
    if (!task.ok()) return ReportClientError("status", task.status());
    fmt::print("{}", o.json ? task->dump(2) + "\n" : FormatTaskDetail(*task));
    return kExitOk;
  }
  // Without refs or --all/--json: the tasks that did not succeed, one more than shown so that
  // the table knows there are more.
  const bool unsucceeded_only = o.refs.empty() && !o.all && !o.json;
  std::vector<std::string> states;
  if (unsucceeded_only) {
    for (int i = 0; i < kTaskStateCount; ++i) {
      if (TaskState(i) != TaskState::kSucceeded) states.emplace_back(TaskStateName(TaskState(i)));
    }
  }
  Result<nlohmann::json> answer =
      client->Tasks(o.refs, states, unsucceeded_only ? kDefaultRows + 1 : 0);
  if (!answer.ok()) return ReportClientError("status", answer.status());
  if (o.json) {
    fmt::print("{}\n", answer->dump(2));
    return kExitOk;
  }
  const nlohmann::json& counts = (*answer)["counts"];
  const nlohmann::json& tasks = (*answer)["tasks"];
  fmt::print("{}\n", CountsLine(counts));
  if (!tasks.is_array() || tasks.empty()) return kExitOk;
  int64_t more = 0;
  if (unsucceeded_only && counts.is_object()) {
    int64_t unsucceeded = 0;
    for (const auto& [state, n] : counts.items()) {
      if (state != TaskStateName(TaskState::kSucceeded)) unsucceeded += CountOf(counts, state);
    }
    more = std::max<int64_t>(0, unsucceeded - static_cast<int64_t>(tasks.size()));
  }
  fmt::print("{}", FormatTaskTable(tasks, unsucceeded_only ? kDefaultRows : 0, more));
  return kExitOk;
}

}  // namespace allot
