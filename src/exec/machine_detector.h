// Detecting what this process may use: the CPUs of its affinity mask with their hwloc topology
// (package, NUMA node, core), usable memory (physical memory, capped by a cgroup v2/v1 limit),
// and GPUs (CUDA_VISIBLE_DEVICES when set, else NVML when libnvidia-ml is present at run time).
// Inside a Slurm batch script or job step, CPUs and memory are at most this process's share of
// the job on this node (exec/slurm_environment.h).
#pragma once

#include <optional>
#include <string>

#include "common/result.h"
#include "model/machine.h"

namespace allot {

struct MachineOverrides {
  std::optional<int> cores;            // use the first N CPUs of the mask (topology order)
  std::optional<int64_t> memory_bytes;
  std::optional<std::vector<int>> gpus;
};

// InvalidArgument when an override asks for more than the machine has (e.g. --cores 64 on a
// 2-CPU mask), naming the flag.
Result<Machine> DetectMachine(const MachineOverrides& overrides);

}  // namespace allot
