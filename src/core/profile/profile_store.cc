#include "core/profile/profile_store.h"

#include <algorithm>
#include <cmath>

#include "core/profile/learned_request.h"

namespace allot {

ProfileStore::ProfileStore(size_t window) : window_(window), all_walls_us_(window) {}

const ProfileStats& ProfileStore::Record(const AttemptSample& sample) {
  auto it = profiles_.find(sample.profile);
  if (it == profiles_.end()) {
    it = profiles_.emplace(sample.profile, ProfileStats(sample.profile, window_)).first;
  }
  it->second.Record(sample);
  if (sample.succeeded)
    all_walls_us_.Add(static_cast<double>(std::max<int64_t>(0, sample.wall.count())));
  return it->second;
}

const ProfileStats* ProfileStore::Find(std::string_view profile) const {
  auto it = profiles_.find(profile);
  return it == profiles_.end() ? nullptr : &it->second;
}

std::optional<Duration> ProfileStore::GlobalMedianWall() const {
  if (all_walls_us_.empty()) return std::nullopt;
  return Duration(static_cast<int64_t>(std::llround(all_walls_us_.Quantile(0.5))));
}

std::optional<Duration> ProfileStore::PooledEstimate() const {
  if (static_cast<int64_t>(all_walls_us_.size()) < kMinSamplesToLearn) return std::nullopt;
  const Duration p90(static_cast<int64_t>(std::ceil(all_walls_us_.Quantile(0.90))));
  // Attempts that took no measurable time (a fake clock, `true`) say nothing of how long the
  // next task will hold its cores.
  if (p90 <= Duration::zero()) return std::nullopt;
  return p90;
}

}  // namespace allot
