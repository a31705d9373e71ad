// ClusterServer: node runs of multi-node attempts (`allot node-exec`, server/node_exec_request.h).
// A run goes to the worker of the named node of a running multi-node attempt (NodeRunMessage),
// which runs it on that node's CPUs and signals it with the attempt; its usage goes into the
// attempt's (Scheduler::AddNodeUsage), its end to the long poll that waits on it.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/scheduler.h"
#include "model/node_host.h"
#include "model/task_id.h"
#include "server/cluster_server.h"

namespace allot {

using Json = nlohmann::json;

Result<Json> ClusterServer::StartNodeRun(const NodeExecRequest& request) {
  return Call([this, request]() -> Result<Json> {
    auto split = SplitExecutionRef(request.execution);
    if (!split) {
      return Status::InvalidArgument("body field 'execution': '" + request.execution +
                                     "' is not <task>@<attempt>");
    }
    std::optional<TaskIndex> t = scheduler_->Find(split->first);
    if (!t) return Status::NotFound("no task '" + std::string(split->first) + "'");
    const ExecutionId execution = MakeExecutionId(*t, split->second);
    const std::vector<NodeShare> nodes = scheduler_->NodesOf(execution);
    if (nodes.empty()) {
      return Status::FailedPrecondition(request.execution +
                                        " is not a running multi-node attempt");
    }
    std::vector<std::string> names;
    for (const NodeShare& n : nodes) names.push_back(n.name);
    const std::vector<std::string> tokens = NodeHostTokens(names);
    size_t i = 0;
    while (i < nodes.size() && tokens[i] != request.node) ++i;
    if (i == nodes.size()) {
      return Status::NotFound(fmt::format("{} has no node '{}' (its nodes: {})",
                                          request.execution, request.node,
                                          fmt::join(tokens, ", ")));
    }
    NodeRunMessage m;
    m.execution = execution;
    m.run = node_runs_.Open();
    m.task = std::string(split->first);
    m.attempt = split->second;
    m.node = tokens[i];
    m.command = request.command;
    m.cwd = request.cwd;
    m.cpus = nodes[i].cpus;
    if (!channel_->SendNodeRun(nodes[i].worker, m)) {
      node_runs_.Finish(m.run, NodeRunEnd{AttemptUsage{}, "its worker is not connected"});
    }
    return Json{{"run", m.run}};
  });
}

Result<Json> ClusterServer::WaitNodeRun(const NodeRunWaitRequest& request) {
  bool busy = false;
  ALLOT_ASSIGN_OR_RETURN(
      std::optional<NodeRunEnd> end,
      node_runs_.Wait(request.run,
                      std::chrono::milliseconds(static_cast<int64_t>(request.timeout_s * 1000)),
                      &busy));
  if (!end) return Json{{"done", false}, {"busy", busy}};
  return Json{{"done", true},
              {"exit_code", end->usage.exit_code},
              {"signal", end->usage.term_signal},
              {"error", end->error}};
}

}  // namespace allot
