#include "core/profile/profile_update_builder.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/profile/learned_request.h"

namespace allot {
namespace {

constexpr double kCoreNoise = 0.1;

}  // namespace

std::optional<ProfileUpdate> BuildProfileUpdate(const ProfileStats& stats,
                                                std::optional<std::string> task_id) {
  std::optional<LearnedRequest> learned = LearnRequest(stats);
  if (!learned) return std::nullopt;
  ProfileUpdate u;
  u.profile = stats.profile();
  u.task_id = std::move(task_id);
  u.time = learned->time_estimate;
  if (learned->memory_bytes) {
    double max_peak = stats.successful_peaks_bytes().Max();
    int64_t top = RoundUpMemory(static_cast<int64_t>(std::ceil(max_peak * kLearnedMemorySafety)));
    u.memory = IntRange{*learned->memory_bytes, std::max(*learned->memory_bytes, top)};
  }
  const SampleWindow& used = stats.successful_cores_used();
  if (!used.empty()) {
    int64_t lo = std::max<int64_t>(1, std::llround(used.Mean()));
    int64_t hi = std::max<int64_t>(lo, static_cast<int64_t>(std::ceil(used.Max() - kCoreNoise)));
    u.cpus = IntRange{lo, hi};
    u.threads = u.cpus;
  }
  return u;
}

}  // namespace allot
