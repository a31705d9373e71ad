// Reading what Slurm's commands print (sbatch, squeue, sinfo, sacct, scontrol): fields split
// on a separator, blanks trimmed. Shared by the allocation commands (slurm_allocation_commands.h)
// and the per-task job commands (slurm_job_commands.h).
#pragma once

#include <string_view>
#include <vector>

namespace allot {

// Every piece between `sep`s, empty ones included ("a||b" -> "a", "", "b").
std::vector<std::string_view> SplitSlurmFields(std::string_view s, char sep);
// Without leading and trailing spaces, tabs, CRs and newlines.
std::string_view TrimSlurmText(std::string_view s);

}  // namespace allot
