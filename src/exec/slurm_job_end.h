// When the Slurm job this process runs in ends: SLURM_JOB_END_TIME (epoch seconds, set by
// newer Slurm), else `squeue -h -j $SLURM_JOB_ID -o %e` (YYYY-MM-DDTHH:MM:SS, local time), as
// text for ParseEndTime (common/end_time.h). The lookups are injected so tests feed made-up
// environments and squeue answers.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "exec/slurm_environment.h"

namespace allot {

// squeue's %e for a job id; nullopt when squeue cannot say (not installed, timed out, failed).
using SqueueEndLookup = std::function<std::optional<std::string>(const std::string& job_id)>;

// nullopt outside a Slurm job, or when neither source gives an end (a job without a time
// limit: squeue says "Unknown" or "N/A").
std::optional<std::string> SlurmJobEnd(const EnvLookup& env, const SqueueEndLookup& squeue);

// SlurmJobEnd of this process's environment, asking the real squeue (at most 10 s).
std::optional<std::string> CurrentSlurmJobEnd();

}  // namespace allot
