#include "exec/machine_detector.h"

#include <unistd.h>

#include <optional>

#include "exec/cpu_topology.h"
#include "exec/gpu_detector.h"
#include "exec/machine_overrides.h"
#include "exec/memory_limit.h"
#include "exec/slurm_environment.h"

namespace allot {

Result<Machine> DetectMachine(const MachineOverrides& overrides) {
  Machine machine;
  machine.cpus = DetectCpus();
  machine.memory_bytes = UsableMemoryBytes();
  machine.gpus = DetectGpus();
  if (auto slurm = CurrentSlurmAllocation()) NarrowToSlurmAllocation(*slurm, &machine);
  return ApplyMachineOverrides(std::move(machine), overrides);
}

NodeResources DetectNodeResources() {
  NodeResources node;
  std::optional<SlurmAllocation> slurm = CurrentSlurmAllocation();
  if (slurm) {
    node.name = slurm->node;
  } else {
    char host[256] = {0};
    node.name = gethostname(host, sizeof(host) - 1) == 0 && host[0] != '\0' ? host : "localhost";
  }
  node.cpus = DetectAllowedCpus();
  node.memory_bytes = UsableMemoryBytes();
  if (slurm) {
    // The step's share of the node, which its tasks (one worker each) divide among them.
    SlurmAllocation step = *slurm;
    step.cpus = slurm->node_cpus;
    step.memory_bytes = slurm->node_memory_bytes;
    Machine machine{std::move(node.cpus), node.memory_bytes, {}, {}};
    NarrowToSlurmAllocation(step, &machine);
    node.cpus = std::move(machine.cpus);
    node.memory_bytes = machine.memory_bytes;
  }
  return node;
}

}  // namespace allot
