// ResourcePool: what one worker has and what is free, down to exact CPU and GPU ids. Hands out
// allocations and takes them back; never hands out more than the machine has (the
// no-oversubscription guarantee lives here). Not thread-safe: owned by the Scheduler.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/allocation.h"
#include "model/machine.h"
#include "model/task_spec.h"

namespace allot {

class ResourcePool {
 public:
  explicit ResourcePool(Machine machine);

  const Machine& machine() const { return machine_; }
  const ResourceAmounts& free() const { return free_; }
  ResourceAmounts Capacity() const { return machine_.Capacity(); }

  // True when `request` (at its minimum cores) could fit into an empty machine; why not is
  // model/machine_fit.h's WhyNeverFits.
  bool CouldEverFit(const ResourceRequest& request) const;
  // True when `request` at `cores` cores fits into `available`.
  static bool FitsIn(const ResourceRequest& request, int cores, const ResourceAmounts& available);

  // Takes `cores` CPUs (chosen topology-aware: one NUMA node if possible, else one package,
  // else the fewest nodes), and the request's memory, GPUs and custom resources.
  // REQUIRES: FitsIn(request, cores, free()).
  Allocation Allocate(const ResourceRequest& request, int cores);
  // REQUIRES: `allocation` came from Allocate on this pool and was not released yet.
  void Release(const Allocation& allocation);

  // Marks an allocation recorded elsewhere (journal replay of a still-running attempt) as
  // taken. Returns false, taking nothing, when any part of it is not free.
  bool Claim(const Allocation& allocation);

 private:
  std::vector<int> PickCpus(int count) const;

  Machine machine_;
  ResourceAmounts free_;
  std::vector<bool> cpu_free_;        // by position in machine_.cpus
  std::map<int, size_t> cpu_position_;  // OS id -> position
  std::vector<bool> gpu_free_;        // by position in machine_.gpus
};

}  // namespace allot
