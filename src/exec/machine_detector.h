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
#include "model/node_resources.h"

namespace allot {

struct MachineOverrides {
  std::optional<int> cores;            // use the first N CPUs of the mask (topology order)
  std::optional<int64_t> memory_bytes;
  std::optional<std::vector<int>> gpus;
};

// InvalidArgument when an override asks for more than the machine has (e.g. --cores 64 on a
// 2-CPU mask), naming the flag.
Result<Machine> DetectMachine(const MachineOverrides& overrides);

// What this node has for its workers, which the server divides among them (server/node_share.h):
// every CPU the process could be given (cpu_topology.h: DetectAllowedCpus, so also those that
// taskset left out) and the usable memory; inside a Slurm job step at most the step's CPUs and
// memory on the node (not this task's share). Named by the Slurm node there (several may share
// a host), else the host.
NodeResources DetectNodeResources();

}  // namespace allot
