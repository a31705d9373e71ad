// Node environment: what the leader of a multi-node attempt (`nodes: N`, core/scheduler_gang.cc)
// gets beside an attempt's usual environment, so that `mpiexec` or `srun` inside it use exactly
// its nodes and cores:
//   ALLOT_NODES       its nodes' host tokens (model/node_host.h), comma-separated, its own first
//   ALLOT_NODE_COUNT  how many
//   ALLOT_NODE_CPUS   each node's CPUs: "n1:0,1;n2:2,3"
//   ALLOT_HOSTFILE    <task dir>/allot-hostfile, one "host:ncpus" line per node (MPICH hydra's
//                     format)
//   ALLOT_NODE_EXEC   <task dir>/allot-node-exec, a launcher for mpiexec (-launcher ssh
//                     -launcher-exec $ALLOT_NODE_EXEC): `allot node-exec` for this attempt,
//                     which runs a command on one of its nodes through that node's worker
//                     (pinned to its CPUs, killed and paused with the attempt)
// Thread-compatible; writes two files.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace allot {

struct AttemptNode {
  std::string name;  // host token
  std::vector<int> cpus;
  bool operator==(const AttemptNode&) const = default;
};

// "n1:0,1;n2:2,3"
std::string NodeCpusText(const std::vector<AttemptNode>& nodes);
// "n1:2\nn2:2\n"
std::string HostfileText(const std::vector<AttemptNode>& nodes);

struct NodeEnvironmentFacts {
  const std::vector<AttemptNode>* nodes = nullptr;  // the leader (this worker's) first
  std::string task_dir;      // exists
  std::string allot_bin;     // this allot binary; node-exec runs it
  std::string server_dir;    // where node-exec finds access.json; "": ALLOT_SERVER_DIR then
  std::string execution_id;  // "<task>@<attempt>"
};

// Writes the hostfile and the node-exec script into facts.task_dir and sets the variables above
// in `env` ("KEY=VALUE" entries). IoError naming the file when one cannot be written.
Status AddNodeEnvironment(const NodeEnvironmentFacts& facts, std::vector<std::string>* env);

}  // namespace allot
