// Resource arithmetic the policies share: taking a request out of free amounts, giving a held
// allocation back, and how many cores an (elastic) request gets.
#pragma once

#include <algorithm>

#include "core/resource_pool.h"
#include "model/task_spec.h"

namespace allot::policy {

inline void Take(const ResourceRequest& r, int cores, ResourceAmounts* a) {
  a->cores -= cores;
  a->memory_bytes -= r.memory_bytes;
  a->gpus -= r.gpus;
  for (const auto& [name, amount] : r.custom) a->custom[name] -= amount;
}

inline void Give(const ResourceAmounts& held, ResourceAmounts* a) {
  a->cores += held.cores;
  a->memory_bytes += held.memory_bytes;
  a->gpus += held.gpus;
  for (const auto& [name, amount] : held.custom) a->custom[name] += amount;
}

// Cores an (elastic) request gets from `available`: up to its max, at least its min; 0 when
// it does not fit.
inline int CoresToTake(const ResourceRequest& r, const ResourceAmounts& available) {
  int cores = std::min(r.cores.max, available.cores);
  if (cores < r.cores.min) return 0;
  return ResourcePool::FitsIn(r, cores, available) ? cores : 0;
}

}  // namespace allot::policy
