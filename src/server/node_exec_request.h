// The node-exec endpoints (docs/CLUSTER.md, "HTTP API"), used by `allot node-exec`:
//   POST /api/v1/node-exec {execution: "<task>@<attempt>", node: HOST, command, cwd} -> {run}
//     runs `command` on node HOST (a host token of ALLOT_NODES) of that running multi-node
//     attempt, through the node's worker;
//   GET /api/v1/node-exec/{run}?timeout_s=30 -> {done: false} or {done: true, exit_code, signal,
//     error}: a long poll; a run's end is answered once.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/result.h"

namespace allot {

struct NodeExecRequest {
  std::string execution;  // "<task>@<attempt>"
  std::string node;
  std::string command;
  std::string cwd;  // "": the task's output directory
};

struct NodeRunWaitRequest {
  uint32_t run = 0;
  double timeout_s = 30;
};

// InvalidArgument naming the field for a malformed body or query.
Result<NodeExecRequest> ParseNodeExecBody(std::string_view body);
Result<NodeRunWaitRequest> ParseNodeRunWait(const std::string& run,
                                            const std::multimap<std::string, std::string>& params);

}  // namespace allot
