// What a forecast says: when the unfinished work ends and what it costs, as P50 and P90 over
// the Monte Carlo runs, and where each task's duration came from (so a person can tell a
// forecast built on history from one built on guesses).
#pragma once

#include <cstdint>
#include <vector>

#include "common/time.h"

namespace allot {

// Where a task's duration distribution came from, in order of preference.
enum class DurationSource {
  kProfileHistory,  // the profile's survival curve: its successful walls (>= 3 of them)
                    // and its running attempts (censored)
  kTimeEstimate,    // the user's time_estimate, as a fixed duration
  kThinHistory,   // a profile with 1 or 2 walls: their log-mean, with the spread of the
                    // profiles that have history (its running attempts censored)
  kTimeLimit,       // the task's time_limit, as a fixed duration (pessimistic)
  kPooledHistory,   // the survival curve of every profile's walls and running attempts
};

struct DurationSourceCounts {
  int64_t profile_history = 0;
  int64_t time_estimate = 0;
  // A profile with fewer than kMinSamplesToLearn walls: its own typical (log-mean) duration
  // with the spread the profiles with history have around theirs.
  int64_t thin_history = 0;
  int64_t time_limit = 0;
  int64_t pooled_history = 0;
};

struct ForecastResult {
  int runs = 0;  // the Monte Carlo runs made (ForecastOptions: fewer for large campaigns)
  // From now until the last unfinished task ends.
  Duration finish_p50{0};
  Duration finish_p90{0};
  // Never below lower_bound: where the P50 of the runs is (a heavy tail puts the mean of the
  // work above its median), it is raised to it, and the P90 to at least the P50.
  // The floor: the expected (mean over the runs) remaining core-seconds / the workers' cores.
  Duration lower_bound{0};
  // Of the remaining work only: cores x (remaining) duration, summed over tasks.
  double core_hours_p50 = 0;
  double core_hours_p90 = 0;
  DurationSourceCounts sources;
  std::vector<Duration> makespans;  // per run, in run order; only with keep_makespans
};

}  // namespace allot
