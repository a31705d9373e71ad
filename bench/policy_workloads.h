// Workloads for the policy benchmark (policy_quality.cc): deterministic generators and a
// reader for Standard Workload Format job logs (Parallel Workloads Archive).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/replay/schedule_replay.h"

namespace allot::bench {

struct Workload {
  std::string name;
  int cores = 0;  // of the one machine
  std::vector<ReplayTask> tasks;
};

// The mixed workload: 120 tasks of 1-2 cores, priorities 0-3, no estimates, durations
// 0.08-0.40 s, one profile ("mix-NNN"), for a 2-core machine. The same file `allot run` and
// pilot.py run (WriteTaskFile).
Workload MixedSmall(uint64_t seed = 1, bool unique_ids = false);
// 100k tasks on 32 cores: ten kinds (profiles) of 1-32 cores, lognormal durations around each
// kind's median, priorities 0-3. with_estimates: each task declares duration x U[1, 3].
Workload MixedLarge(bool with_estimates, uint64_t seed = 2);
// 100k tasks on 32 cores, widths as MixedLarge, Pareto durations (alpha 1.2, 10 s minimum,
// capped at 1 day), no estimates, one profile per width.
Workload LongTailed(uint64_t seed = 3);
// 33,333 chains sim (1 core) -> reco (4 cores) -> ana (1 core) on 32 cores, no estimates.
Workload Dags(uint64_t seed = 4);
// Submitted over time (Poisson arrivals, 80% load): narrow low-priority tasks and wide
// high-priority ones, estimates on half of them; 100k tasks on 32 cores.
Workload Arrivals(uint64_t seed = 5);

// An SWF log (gzip'd or not): a task per job with run time > 0 and processors > 0 (allocated,
// else requested), its requested time as time_estimate, submit times from the first job.
// `cores`: the log's MaxProcs header. Jobs [first, first + count) of those kept (count < 0:
// all). Empty tasks when the file cannot be read.
Workload ReadSwf(const std::string& path, const std::string& name, int64_t first = 0,
                 int64_t count = -1);

// Writes `w` as an allot task file (the allocation-scheduler JSON array: id, command
// "sleep <s>", cores, priority), which pilot.py reads as well.
bool WriteTaskFile(const Workload& w, const std::string& path);

}  // namespace allot::bench
