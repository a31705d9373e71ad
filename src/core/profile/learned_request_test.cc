#include "core/profile/learned_request.h"

#include <gtest/gtest.h>

#include <limits>

namespace allot {
namespace {

using std::chrono::seconds;

constexpr int64_t kMiB = int64_t{1} << 20;

AttemptSample Success(int wall_s, int64_t peak) {
  AttemptSample s;
  s.profile = "sim";
  s.cores_allocated = 1;
  s.wall = seconds(wall_s);
  s.cpu = seconds(wall_s);
  s.peak_rss_bytes = peak;
  s.succeeded = true;
  return s;
}

TEST(LearnedRequestTest, NothingBeforeThreeSuccessfulSamples) {
  ProfileStats stats("sim");
  stats.Record(Success(10, 100 * kMiB));
  stats.Record(Success(10, 100 * kMiB));
  AttemptSample failed = Success(10, 100 * kMiB);
  failed.succeeded = false;
  stats.Record(failed);
  EXPECT_FALSE(LearnRequest(stats));
  stats.Record(Success(10, 100 * kMiB));
  EXPECT_TRUE(LearnRequest(stats));
}

TEST(LearnedRequestTest, MemoryIsP95PeakWithSafetyRoundedUpTo64MiB) {
  ProfileStats stats("sim");
  for (int i = 0; i < 3; ++i) stats.Record(Success(10, 1000 * kMiB));
  // 1000 MiB x 1.2 = 1200 MiB -> 1216 MiB (19 x 64).
  EXPECT_EQ(*LearnRequest(stats)->memory_bytes, 1216 * kMiB);
}

TEST(LearnedRequestTest, TimeEstimateIsP90Wall) {
  ProfileStats stats("sim");
  for (int i = 1; i <= 11; ++i) stats.Record(Success(i * 10, kMiB));
  EXPECT_EQ(LearnRequest(stats)->time_estimate, seconds(100));
}

TEST(LearnedRequestTest, NoMeasuredPeakLeavesMemoryToTheUser) {
  ProfileStats stats("sim");
  for (int i = 0; i < 3; ++i) stats.Record(Success(10, 0));
  std::optional<LearnedRequest> learned = LearnRequest(stats);
  ASSERT_TRUE(learned);
  EXPECT_FALSE(learned->memory_bytes);
  EXPECT_EQ(learned->time_estimate, seconds(10));
}

TEST(LearnedRequestTest, RoundUpMemoryKeepsMultiplesAndSaturates) {
  EXPECT_EQ(RoundUpMemory(0), 0);
  EXPECT_EQ(RoundUpMemory(1), 64 * kMiB);
  EXPECT_EQ(RoundUpMemory(64 * kMiB), 64 * kMiB);
  EXPECT_EQ(RoundUpMemory(64 * kMiB + 1), 128 * kMiB);
  int64_t top = RoundUpMemory(std::numeric_limits<int64_t>::max());
  EXPECT_GT(top, 0);
  EXPECT_EQ(top % (64 * kMiB), 0);
}

}  // namespace
}  // namespace allot
