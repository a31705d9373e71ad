// LearnedRequest: what a task that asks `memory: auto` or gives no `time_estimate` gets from
// its profile's history, once that history is worth trusting.
#pragma once

#include <cstdint>
#include <optional>

#include "common/time.h"
#include "core/profile/profile_stats.h"

namespace allot {

struct LearnedRequest {
  // P95 of successful peaks x kLearnedMemorySafety, rounded up to kMemoryGranularityBytes;
  // absent when no successful attempt measured its peak.
  std::optional<int64_t> memory_bytes;
  Duration time_estimate{0};  // P90 of successful walls
};

inline constexpr int64_t kMemoryGranularityBytes = int64_t{64} << 20;  // 64 MiB
inline constexpr double kLearnedMemorySafety = 1.2;
// Fewer successful attempts than this teach nothing (a single fast failure-free run is luck).
inline constexpr int64_t kMinSamplesToLearn = 3;

// The learned values, or none while `stats` holds fewer than kMinSamplesToLearn successful
// attempts in its window.
std::optional<LearnedRequest> LearnRequest(const ProfileStats& stats);

// Rounds `bytes` up to a multiple of kMemoryGranularityBytes (0 stays 0; saturates instead of
// overflowing).
int64_t RoundUpMemory(int64_t bytes);

}  // namespace allot
