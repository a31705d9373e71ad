// When this process's allocation ends, for `allot run` and `allot worker start`: --end-time,
// else (inside a Slurm job) the job's end (exec/slurm_job_end.h), and --end-margin.
#pragma once

#include <string>

#include "common/result.h"
#include "common/time.h"

namespace allot {

struct AllocationEnd {
  int64_t end_wall_us = 0;  // Unix microseconds; 0: no end known
  Duration margin{0};       // how long before it the process stops
  std::string from;         // "--end-time" or "the Slurm job's end", for messages
};

// InvalidArgument naming the flag (or the Slurm job's end) when a value cannot be read, or when
// the end minus the margin has passed already: nothing could start.
Result<AllocationEnd> ResolveAllocationEnd(const std::string& end_time,
                                           const std::string& end_margin);

}  // namespace allot
