// NodeResources: what a node has for one worker process, before --cores/--memory narrow it to
// the Machine the worker offers. The server divides it among the workers of one node
// (server/node_share.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/machine.h"

namespace allot {

struct NodeResources {
  std::string name;       // the host, or the Slurm node (several may share a host); empty: unknown
  std::vector<Cpu> cpus;  // every CPU the process could be given, in topology order
  int64_t memory_bytes = 0;
  bool operator==(const NodeResources&) const = default;
};

}  // namespace allot
