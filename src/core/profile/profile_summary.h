// ProfileSummary: a profile's learned requirements at one moment, as plain values for
// listings (`allot profiles`), reports and the profile-update record. Built by
// ProfileStats::Summarize.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/time.h"

namespace allot {

// Requested vs used, summed over every attempt ever recorded (not only the window).
struct ProfileWaste {
  double core_seconds_allocated = 0;  // cores allocated x wall
  double core_seconds_used = 0;       // cpu (user + sys)
  double core_seconds_wasted = 0;     // sum of max(0, allocated x wall - cpu)
  // Only attempts that requested memory and measured their peak count here.
  double memory_byte_seconds_requested = 0;  // requested x wall
  double memory_byte_seconds_used = 0;       // peak RSS x wall (an upper bound of use)
  double memory_byte_seconds_wasted = 0;     // sum of max(0, requested - peak) x wall
};

struct ProfileSummary {
  std::string profile;
  // Lifetime counts. failed: ended unsuccessfully for any reason, OOM and timeouts included.
  int64_t attempts = 0;
  int64_t succeeded = 0;
  int64_t failed = 0;
  int64_t oom_killed = 0;
  int64_t timed_out = 0;
  // Over the window of the last successful attempts; absent while there is none.
  int64_t window_successes = 0;
  std::optional<Duration> wall_p50;
  std::optional<Duration> wall_p90;
  std::optional<Duration> wall_p99;
  std::optional<int64_t> peak_rss_p95;  // successful attempts that measured a peak
  std::optional<int64_t> peak_rss_max;
  std::optional<double> cores_used_mean;  // cpu / wall of successful attempts
  std::optional<double> cores_used_max;
  ProfileWaste waste;
};

}  // namespace allot
