#include "core/profile/profile_update_builder.h"

#include <gtest/gtest.h>

namespace allot {
namespace {

using std::chrono::seconds;

constexpr int64_t kMiB = int64_t{1} << 20;

AttemptSample Success(int wall_s, double cpu_s, int64_t peak) {
  AttemptSample s;
  s.profile = "sim";
  s.cores_allocated = 4;
  s.wall = seconds(wall_s);
  s.cpu = FromSeconds(cpu_s);
  s.peak_rss_bytes = peak;
  s.succeeded = true;
  return s;
}

TEST(ProfileUpdateBuilderTest, NoRecordBeforeTheProfileHasLearned) {
  ProfileStats stats("sim");
  stats.Record(Success(10, 10, kMiB));
  EXPECT_FALSE(BuildProfileUpdate(stats));
}

TEST(ProfileUpdateBuilderTest, RecordCarriesLearnedTimeMemoryAndCores) {
  ProfileStats stats("sim");
  stats.Record(Success(10, 10.4, 500 * kMiB));  // 1.04 cores: noise, counts as 1
  stats.Record(Success(10, 20, 500 * kMiB));    // 2 cores
  stats.Record(Success(10, 25, 1000 * kMiB));   // 2.5 cores
  std::optional<ProfileUpdate> u = BuildProfileUpdate(stats, "sim-3");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->profile, "sim");
  EXPECT_EQ(u->task_id, "sim-3");
  EXPECT_EQ(u->time, seconds(10));
  // P95 of {500, 500, 1000} = 950 -> x1.2 = 1140 -> 1152 MiB; max 1000 -> 1200 -> 1216 MiB.
  EXPECT_EQ(u->memory, (IntRange{1152 * kMiB, 1216 * kMiB}));
  // Mean 1.847 -> 2; max 2.5 -> 3.
  EXPECT_EQ(u->cpus, (IntRange{2, 3}));
  EXPECT_EQ(u->threads, u->cpus);
}

TEST(ProfileUpdateBuilderTest, IdleTasksStillAskForOneCore) {
  ProfileStats stats("sim");
  for (int i = 0; i < 3; ++i) stats.Record(Success(10, 0.1, 0));
  std::optional<ProfileUpdate> u = BuildProfileUpdate(stats);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->cpus, (IntRange{1, 1}));
  EXPECT_FALSE(u->memory);
  EXPECT_FALSE(u->task_id);
}

}  // namespace
}  // namespace allot
