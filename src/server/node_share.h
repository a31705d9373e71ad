// ShareNode: what a worker gets when other workers already hold part of its node (cluster mode;
// docs/CLUSTER.md, "Several workers on one node"). Without it, two `allot worker start --cores 1`
// on one host both offer the node's first CPU and its whole memory, and their tasks share a core.
//
// Each worker registers with what it offers (a Machine: --cores takes the first N CPUs of the
// node, --memory a part of its memory) and what its node has for it (NodeResources). The rule,
// for a worker on a node where `others` (maybe none) already hold CPUs and memory:
//   1. CPUs: it keeps the CPUs it offers when none of them is held by another worker. Else it
//      gets the node's first free CPUs (topology order), as many as it offers; one that offers
//      every CPU of the node (no --cores) gets all the free ones. Too few free: refused.
//   2. Memory: a worker that offers the node's whole memory (no --memory) claims its CPUs' share
//      of it (memory x its CPUs / the node's CPUs; all of it with all the CPUs), so that a
//      second worker finds some left (also when it is the first: a lone `--cores 1` worker on
//      a 2-CPU node gets half the memory); one that offers less claims that. Either way it gets
//      at most what the other workers left of the node's memory; nothing left: refused.
//   3. GPUs and custom resources are passed through as offered.
// A refusal is FailedPrecondition naming the node, what the worker asked for, and each other
// worker with what it holds. Pure function; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "model/machine.h"
#include "model/node_resources.h"

namespace allot {

// A worker that holds part of a node: its name, its CPUs (os ids) and memory.
struct NodeTenant {
  std::string worker;
  std::vector<int> cpus;
  int64_t memory_bytes = 0;
};

// REQUIRES: node.name non-empty; `others` are the other workers on node.name.
Result<Machine> ShareNode(const std::string& worker, const Machine& offered,
                          const NodeResources& node, const std::vector<NodeTenant>& others);

}  // namespace allot
