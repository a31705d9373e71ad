#include "exec/slurm_executor_machine.h"

#include "common/units.h"
#include "model/task_spec.h"

namespace allot {

Result<Machine> SlurmExecutorMachine(const MachineFlags& flags) {
  // The custom resources as a plain worker reads them; nothing else of this host.
  MachineFlags custom_only;
  custom_only.resources = flags.resources;
  ALLOT_ASSIGN_OR_RETURN(Machine detected, DetectMachineFromFlags(custom_only));
  Machine m;
  m.custom = std::move(detected.custom);
  m.executor = kSlurmExecutor;
  const int cores = flags.cores.value_or(kSlurmExecutorCores);
  if (cores < 1) {
    return Status::InvalidArgument("--cores " + std::to_string(cores) + ": must be at least 1");
  }
  for (int i = 0; i < cores; ++i) m.cpus.push_back(Cpu{i, 0, 0, i});
  m.memory_bytes = kSlurmExecutorMemory;
  if (!flags.memory.empty()) {
    Result<int64_t> memory = ParseSize(flags.memory);
    if (!memory.ok()) return memory.status().WithPrefix("--memory " + flags.memory);
    m.memory_bytes = *memory;
  }
  if (flags.gpus.empty()) {
    for (int i = 0; i < kSlurmExecutorGpus; ++i) m.gpus.push_back(i);
  } else {
    ALLOT_ASSIGN_OR_RETURN(m.gpus, ParseGpuFlag(flags.gpus));
  }
  return m;
}

}  // namespace allot
