#include "core/profile/profile_store.h"

#include <algorithm>
#include <cmath>

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

}  // namespace allot
