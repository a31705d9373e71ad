#include "core/profile/profile_stats.h"

#include <gtest/gtest.h>

namespace allot {
namespace {

using std::chrono::seconds;

constexpr int64_t kMiB = int64_t{1} << 20;

AttemptSample Success(int wall_s, int cores = 1, double cpu_s = -1, int64_t peak = 0,
                      int64_t requested = 0) {
  AttemptSample s;
  s.profile = "sim";
  s.cores_allocated = cores;
  s.wall = seconds(wall_s);
  s.cpu = FromSeconds(cpu_s < 0 ? wall_s * cores : cpu_s);
  s.peak_rss_bytes = peak;
  s.memory_requested_bytes = requested;
  s.succeeded = true;
  return s;
}

TEST(ProfileStatsTest, TimeQuantilesComeFromSuccessfulWalls) {
  ProfileStats stats("sim");
  for (int i = 1; i <= 100; ++i) stats.Record(Success(i));
  ProfileSummary s = stats.Summarize();
  EXPECT_EQ(s.profile, "sim");
  EXPECT_EQ(s.attempts, 100);
  EXPECT_EQ(s.succeeded, 100);
  EXPECT_EQ(s.window_successes, 100);
  EXPECT_EQ(*s.wall_p50, Duration(50'500'000));
  EXPECT_EQ(*s.wall_p90, Duration(90'100'000));
  EXPECT_EQ(*s.wall_p99, Duration(99'010'000));
}

TEST(ProfileStatsTest, FailedAttemptsCountButDoNotMoveQuantiles) {
  ProfileStats stats("sim");
  stats.Record(Success(10, 1, 10, 100 * kMiB));
  AttemptSample oom = Success(3, 1, 3, 900 * kMiB);
  oom.succeeded = false;
  oom.oom_killed = true;
  stats.Record(oom);
  AttemptSample timeout = Success(500);
  timeout.succeeded = false;
  timeout.timed_out = true;
  stats.Record(timeout);
  ProfileSummary s = stats.Summarize();
  EXPECT_EQ(s.attempts, 3);
  EXPECT_EQ(s.succeeded, 1);
  EXPECT_EQ(s.failed, 2);
  EXPECT_EQ(s.oom_killed, 1);
  EXPECT_EQ(s.timed_out, 1);
  EXPECT_EQ(*s.wall_p99, seconds(10));
  EXPECT_EQ(*s.peak_rss_max, 100 * kMiB);
}

TEST(ProfileStatsTest, NothingLearnedIsAbsentNotZero) {
  ProfileStats stats("sim");
  ProfileSummary s = stats.Summarize();
  EXPECT_FALSE(s.wall_p50);
  EXPECT_FALSE(s.peak_rss_p95);
  EXPECT_FALSE(s.cores_used_mean);
  stats.Record(Success(10));  // no peak measured
  s = stats.Summarize();
  EXPECT_TRUE(s.wall_p50);
  EXPECT_FALSE(s.peak_rss_p95);
  EXPECT_FALSE(s.peak_rss_max);
}

TEST(ProfileStatsTest, MemoryQuantilesAreP95AndMaxOfPeaks) {
  ProfileStats stats("sim");
  for (int i = 1; i <= 21; ++i) stats.Record(Success(1, 1, 1, i * 10 * kMiB));
  ProfileSummary s = stats.Summarize();
  EXPECT_EQ(*s.peak_rss_p95, 200 * kMiB);  // rank 0.95 x 20 = 19 -> the 20th value
  EXPECT_EQ(*s.peak_rss_max, 210 * kMiB);
}

TEST(ProfileStatsTest, CoresUsedIsCpuOverWall) {
  ProfileStats stats("sim");
  stats.Record(Success(10, 4, 20));  // 2 cores used
  stats.Record(Success(10, 4, 35));  // 3.5
  ProfileSummary s = stats.Summarize();
  EXPECT_DOUBLE_EQ(*s.cores_used_mean, 2.75);
  EXPECT_DOUBLE_EQ(*s.cores_used_max, 3.5);
}

TEST(ProfileStatsTest, WasteIsRequestedMinusUsedTimesWall) {
  ProfileStats stats("sim");
  stats.Record(Success(10, 4, 20, 1024 * kMiB, 4096 * kMiB));
  AttemptSample failed = Success(2, 2, 1, 0, 512 * kMiB);  // no peak: no memory accounting
  failed.succeeded = false;
  stats.Record(failed);
  const ProfileWaste& w = stats.Summarize().waste;
  EXPECT_DOUBLE_EQ(w.core_seconds_allocated, 40 + 4);
  EXPECT_DOUBLE_EQ(w.core_seconds_used, 20 + 1);
  EXPECT_DOUBLE_EQ(w.core_seconds_wasted, 20 + 3);
  EXPECT_DOUBLE_EQ(w.memory_byte_seconds_requested, 10.0 * 4096 * kMiB);
  EXPECT_DOUBLE_EQ(w.memory_byte_seconds_used, 10.0 * 1024 * kMiB);
  EXPECT_DOUBLE_EQ(w.memory_byte_seconds_wasted, 10.0 * 3072 * kMiB);
}

TEST(ProfileStatsTest, UsingMoreThanRequestedIsNotNegativeWaste) {
  ProfileStats stats("sim");
  stats.Record(Success(10, 1, 15, 2048 * kMiB, 1024 * kMiB));  // 1.5 cores on 1, over memory
  const ProfileWaste& w = stats.Summarize().waste;
  EXPECT_DOUBLE_EQ(w.core_seconds_wasted, 0);
  EXPECT_DOUBLE_EQ(w.memory_byte_seconds_wasted, 0);
}

TEST(ProfileStatsTest, WindowKeepsOnlyTheLatestSuccessesButCountsEverything) {
  ProfileStats stats("sim", 4);
  for (int i = 0; i < 10; ++i) stats.Record(Success(100));
  for (int i = 0; i < 4; ++i) stats.Record(Success(5));
  ProfileSummary s = stats.Summarize();
  EXPECT_EQ(s.window_successes, 4);
  EXPECT_EQ(s.succeeded, 14);
  EXPECT_EQ(*s.wall_p99, seconds(5));
}

TEST(ProfileStatsTest, SameAttemptsGiveTheSameSummaryWhateverTheirOrder) {
  ProfileStats a("sim"), b("sim");
  for (int i = 1; i <= 7; ++i) a.Record(Success(i, 2, i * 1.3, i * kMiB));
  for (int i = 7; i >= 1; --i) b.Record(Success(i, 2, i * 1.3, i * kMiB));
  ProfileSummary sa = a.Summarize(), sb = b.Summarize();
  EXPECT_EQ(sa.wall_p90, sb.wall_p90);
  EXPECT_EQ(sa.peak_rss_p95, sb.peak_rss_p95);
  EXPECT_EQ(sa.cores_used_mean, sb.cores_used_mean);
}

}  // namespace
}  // namespace allot
