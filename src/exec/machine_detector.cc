#include "exec/machine_detector.h"

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

}  // namespace allot
