// ProfileStats: what the attempts of one profile (tasks that share `tags.profile`, or a
// template / sweep) have taught: time and memory quantiles, cores actually used, counts and
// waste. Bounded memory: each measured quantity keeps the last `window` values of successful
// attempts in a SampleWindow (see there why a sliding window); counts and waste are lifetime
// sums. Deterministic: the same attempts in the same order give the same numbers.
//
// Only successful attempts feed the quantiles. The peak of an OOM-killed attempt is censored
// (the need lies above it) and a timed-out attempt's wall is the limit, not the need; both
// would bias the quantiles low, and NextMemoryAfterOom handles the tail they reveal.
//
// Record is O(log N) (see SampleWindow); every query is O(1) except Summarize (O(N), N <=
// window, for the mean). Not thread-safe: owned by the server's event loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/profile/attempt_sample.h"
#include "core/profile/profile_summary.h"
#include "core/profile/sample_window.h"

namespace allot {

class ProfileStats {
 public:
  static constexpr size_t kDefaultWindow = 1024;

  // REQUIRES: window > 0.
  explicit ProfileStats(std::string profile, size_t window = kDefaultWindow);

  // REQUIRES: sample.profile == profile() (not checked: the store routes by name).
  void Record(const AttemptSample& sample);

  const std::string& profile() const { return profile_; }
  int64_t attempts() const { return attempts_; }
  // Successful attempts in the window (at most `window`): the evidence behind the quantiles.
  int64_t window_successes() const { return static_cast<int64_t>(walls_us_.size()); }

  // Walls of the windowed successful attempts in microseconds, ascending: what the forecast
  // bootstraps from.
  const SampleWindow& successful_walls_us() const { return walls_us_; }
  const SampleWindow& successful_peaks_bytes() const { return peaks_; }
  const SampleWindow& successful_cores_used() const { return cores_used_; }

  ProfileSummary Summarize() const;

 private:
  std::string profile_;
  int64_t attempts_ = 0;
  int64_t succeeded_ = 0;
  int64_t oom_killed_ = 0;
  int64_t timed_out_ = 0;
  SampleWindow walls_us_;
  SampleWindow peaks_;       // successful attempts with a measured peak (> 0)
  SampleWindow cores_used_;  // successful attempts with wall > 0
  ProfileWaste waste_;
};

}  // namespace allot
