// What a worker started with `--executor slurm` offers: not its host's CPUs but task slots
// standing for the Slurm cluster behind it, where each attempt runs as its own job
// (exec/slurm_job_launcher.h). They bound how much Allot keeps queued or running in Slurm at
// once; Slurm itself decides where and when each job runs.
#pragma once

#include "common/result.h"
#include "exec/machine_overrides.h"
#include "model/machine.h"

namespace allot {

inline constexpr int kSlurmExecutorCores = 4096;
inline constexpr int64_t kSlurmExecutorMemory = int64_t{64} << 40;  // 64 TiB
inline constexpr int kSlurmExecutorGpus = 256;

// --cores N slots (default kSlurmExecutorCores; ids 0..N-1 on no real CPU), --memory
// (default kSlurmExecutorMemory), --gpus as a count or ids (default kSlurmExecutorGpus ids),
// and the --resource custom resources; executor "slurm". InvalidArgument naming the flag.
Result<Machine> SlurmExecutorMachine(const MachineFlags& flags);

}  // namespace allot
