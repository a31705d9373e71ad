#include "server/node_share.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/units.h"

namespace allot {
namespace {

std::string CpuList(const std::vector<int>& ids) {
  if (ids.empty()) return "no CPU";
  return fmt::format("{} {}", ids.size() == 1 ? "CPU" : "CPUs", fmt::join(ids, ","));
}

Status Refuse(const std::string& worker, const NodeResources& node, const std::string& problem,
              const std::vector<NodeTenant>& others) {
  std::string held;
  for (const NodeTenant& t : others) {
    held += fmt::format("{}worker {} holds {} and {}", held.empty() ? "" : ", ", t.worker,
                        CpuList(t.cpus), FormatSize(t.memory_bytes));
  }
  return Status::FailedPrecondition(fmt::format("node {} has no room for worker {}: {}; {}",
                                                node.name, worker, problem, held));
}

}  // namespace

Result<Machine> ShareNode(const std::string& worker, const Machine& offered,
                          const NodeResources& node, const std::vector<NodeTenant>& others) {
  std::set<int> held;
  int64_t memory_held = 0;
  for (const NodeTenant& t : others) {
    held.insert(t.cpus.begin(), t.cpus.end());
    memory_held += t.memory_bytes;
  }
  Machine given = offered;

  // 1. CPUs.
  const bool overlaps = std::any_of(offered.cpus.begin(), offered.cpus.end(),
                                    [&](const Cpu& c) { return held.count(c.os_index) > 0; });
  if (overlaps) {
    std::vector<Cpu> free;
    for (const Cpu& c : node.cpus) {
      if (held.count(c.os_index) == 0) free.push_back(c);
    }
    const bool whole_node = offered.cpus.size() >= node.cpus.size();
    const size_t wanted = whole_node ? std::max<size_t>(1, free.size()) : offered.cpus.size();
    if (free.size() < wanted) {
      return Refuse(worker, node,
                    fmt::format("it asks for {}, and {} of the node's {} {} free",
                                whole_node ? "at least 1 CPU"
                                           : Counted(static_cast<int64_t>(wanted), "CPU"),
                                free.size(),
                                node.cpus.size(), free.size() == 1 ? "is" : "are"),
                    others);
    }
    free.resize(wanted);
    given.cpus = std::move(free);
  }

  // 2. Memory.
  int64_t claim = offered.memory_bytes;
  if (offered.memory_bytes >= node.memory_bytes && !node.cpus.empty() &&
      given.cpus.size() < node.cpus.size()) {
    claim = static_cast<int64_t>(static_cast<__int128>(node.memory_bytes) *
                                 static_cast<int64_t>(given.cpus.size()) /
                                 static_cast<int64_t>(node.cpus.size()));
  }
  const int64_t left = std::max<int64_t>(0, node.memory_bytes - memory_held);
  if (left == 0) {
    return Refuse(worker, node,
                  fmt::format("none of the node's {} memory is left",
                              FormatSize(node.memory_bytes)),
                  others);
  }
  given.memory_bytes = std::min(claim, left);
  return given;
}

}  // namespace allot
