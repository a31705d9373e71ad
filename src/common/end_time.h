// When an allocation ends, as people and Slurm write it (`allot run --end-time`,
// SLURM_JOB_END_TIME): "+DURATION" from now ("+2h", "+90min"), Unix epoch seconds
// ("1764730800", as Slurm exports it), or a date and time "YYYY-MM-DDTHH:MM[:SS]" in local time
// (as `squeue -o %e` prints it), UTC with a trailing "Z".
#pragma once

#include <cstdint>
#include <string_view>

#include "common/result.h"

namespace allot {

// Microseconds since the epoch. InvalidArgument saying which forms are accepted.
Result<int64_t> ParseEndTime(std::string_view text, int64_t now_wall_us);

}  // namespace allot
