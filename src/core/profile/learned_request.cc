#include "core/profile/learned_request.h"

#include <cmath>
#include <limits>

namespace allot {

int64_t RoundUpMemory(int64_t bytes) {
  if (bytes <= 0) return 0;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  if (bytes > kMax - kMemoryGranularityBytes)
    return kMax / kMemoryGranularityBytes * kMemoryGranularityBytes;
  return (bytes + kMemoryGranularityBytes - 1) / kMemoryGranularityBytes * kMemoryGranularityBytes;
}

std::optional<LearnedRequest> LearnRequest(const ProfileStats& stats) {
  if (stats.window_successes() < kMinSamplesToLearn) return std::nullopt;
  LearnedRequest out;
  out.time_estimate =
      Duration(static_cast<int64_t>(std::ceil(stats.successful_walls_us().Quantile(0.90))));
  const SampleWindow& peaks = stats.successful_peaks_bytes();
  if (!peaks.empty()) {
    double want = std::ceil(peaks.Quantile(0.95) * kLearnedMemorySafety);
    constexpr double kMax = static_cast<double>(std::numeric_limits<int64_t>::max() / 2);
    out.memory_bytes = RoundUpMemory(static_cast<int64_t>(std::min(want, kMax)));
  }
  return out;
}

}  // namespace allot
