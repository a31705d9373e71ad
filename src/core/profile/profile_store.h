// ProfileStore: every profile's ProfileStats by name, plus a store-wide window of successful
// walls (the forecast's last-resort duration for a task with no history, estimate or limit,
// and PooledEstimate, what the policy expects of such a task).
// Iteration is by name, so listings are stable. Memory is bounded per profile (see
// ProfileStats); the number of profiles is the caller's to bound. Not thread-safe.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/time.h"
#include "core/profile/attempt_sample.h"
#include "core/profile/profile_stats.h"
#include "core/profile/sample_window.h"

namespace allot {

class ProfileStore {
 public:
  // REQUIRES: window > 0.
  explicit ProfileStore(size_t window = ProfileStats::kDefaultWindow);

  // Creates the profile on its first sample. Returns its stats after the update (valid until
  // the store is destroyed: map nodes do not move).
  const ProfileStats& Record(const AttemptSample& sample);

  // nullptr when no attempt of `profile` was ever recorded.
  const ProfileStats* Find(std::string_view profile) const;
  const std::map<std::string, ProfileStats, std::less<>>& profiles() const { return profiles_; }

  // Median wall of the last `window` successful attempts of any profile; absent when none.
  std::optional<Duration> GlobalMedianWall() const;
  // The P90 of the same walls, as a profile's learned estimate is computed, once there are
  // kMinSamplesToLearn of them and it is above zero: what a task with neither an estimate
  // nor a profile that learned one is expected to take (the policy's backfill and patience,
  // and the forecast's simulation of it). Absent before that.
  std::optional<Duration> PooledEstimate() const;

 private:
  size_t window_;
  std::map<std::string, ProfileStats, std::less<>> profiles_;
  SampleWindow all_walls_us_;
};

}  // namespace allot
