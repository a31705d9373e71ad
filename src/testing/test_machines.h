// Machines for tests: a flat one, and one with packages and NUMA nodes whose OS CPU ids
// interleave across nodes as they do on many real two-socket servers (node 0 holds 0, 2, 4, ...).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "model/machine.h"

namespace allot {

inline constexpr int64_t kGiB = int64_t{1} << 30;

// `cpus` CPUs with OS ids 0..cpus-1, one package, one NUMA node.
inline Machine FlatMachine(int cpus, int64_t memory_bytes = 64 * kGiB, int gpus = 0,
                           std::map<std::string, int64_t> custom = {}) {
  Machine m;
  for (int i = 0; i < cpus; ++i) m.cpus.push_back(Cpu{i, 0, 0, i});
  m.memory_bytes = memory_bytes;
  for (int g = 0; g < gpus; ++g) m.gpus.push_back(g);
  m.custom = std::move(custom);
  return m;
}

// packages x nodes_per_package NUMA nodes of cores_per_node CPUs each, in topology order.
// NUMA node n (global numbering) holds OS ids n, n + N, n + 2N, ... where N is the node count.
inline Machine NumaMachine(int packages, int nodes_per_package, int cores_per_node,
                           int64_t memory_bytes = 64 * kGiB) {
  Machine m;
  const int nodes = packages * nodes_per_package;
  for (int p = 0; p < packages; ++p) {
    for (int local = 0; local < nodes_per_package; ++local) {
      const int node = p * nodes_per_package + local;
      for (int c = 0; c < cores_per_node; ++c) {
        m.cpus.push_back(Cpu{c * nodes + node, p, node, node * cores_per_node + c});
      }
    }
  }
  m.memory_bytes = memory_bytes;
  return m;
}

}  // namespace allot
