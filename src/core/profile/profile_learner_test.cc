#include "core/profile/profile_learner.h"

#include <gtest/gtest.h>

#include "testing/task_builder.h"

namespace allot {
namespace {

constexpr int64_t kMiB = int64_t{1} << 20;

AttemptUsage Ran(int seconds, int64_t peak) {
  AttemptUsage u;
  u.exit_code = 0;
  u.wall = std::chrono::seconds(seconds);
  u.max_rss_bytes = peak;
  return u;
}

TEST(ProfileLearnerTest, NothingIsLearnedBeforeThreeSuccesses) {
  ProfileLearner learner;
  TaskSpec sim = TaskBuilder("sim-1");
  learner.Record(sim, 1, 0, Ran(10, 100 * kMiB), true);
  learner.Record(sim, 1, 0, Ran(10, 100 * kMiB), true);
  TaskSpec next = TaskBuilder("sim-9");
  next.resources.memory_auto = true;
  learner.Apply(&next, /*learn_estimate=*/true, 0);
  EXPECT_EQ(next.resources.memory_bytes, 0);
  EXPECT_FALSE(next.time_estimate);
}

TEST(ProfileLearnerTest, ATaskOfTheProfileGetsItsLearnedMemoryAndEstimate) {
  ProfileLearner learner;
  for (int i = 1; i <= 3; ++i) learner.Record(TaskBuilder("sim-" + std::to_string(i)), 1, 0,
                                              Ran(10 * i, 100 * kMiB), true);
  TaskSpec next = TaskBuilder("sim-4");
  next.resources.memory_auto = true;
  learner.Apply(&next, /*learn_estimate=*/true, 0);
  EXPECT_EQ(next.resources.memory_bytes, 128 * kMiB);  // 100 MiB x 1.2, in 64 MiB steps
  ASSERT_TRUE(next.time_estimate);
  EXPECT_EQ(*next.time_estimate, std::chrono::seconds(28));  // P90 of 10, 20, 30
  // Capped by the largest worker, and not applied to a task with its own estimate.
  TaskSpec small = TaskBuilder("sim-5");
  small.resources.memory_auto = true;
  small.time_estimate = std::chrono::seconds(1);
  learner.Apply(&small, /*learn_estimate=*/false, 64 * kMiB);
  EXPECT_EQ(small.resources.memory_bytes, 64 * kMiB);
  EXPECT_EQ(*small.time_estimate, std::chrono::seconds(1));
}

TEST(ProfileLearnerTest, LearnedValuesFollowEveryAttemptWhileHistoryIsShort) {
  ProfileLearner learner;
  for (int i = 0; i < 3; ++i) learner.Record(TaskBuilder("t"), 1, 0, Ran(10, 0), true);
  TaskSpec a = TaskBuilder("t");
  learner.Apply(&a, true, 0);
  EXPECT_EQ(*a.time_estimate, std::chrono::seconds(10));
  learner.Record(TaskBuilder("t"), 1, 0, Ran(50, 0), true);
  TaskSpec b = TaskBuilder("t");
  learner.Apply(&b, true, 0);
  EXPECT_GT(*b.time_estimate, std::chrono::seconds(10));  // recomputed at once
}

TEST(ProfileLearnerTest, ThePooledEstimateIsTheP90OfEveryProfileOnceThreeSucceeded) {
  ProfileLearner learner;
  learner.Record(TaskBuilder("m1"), 1, 0, Ran(10, 0), true);
  learner.Record(TaskBuilder("m2"), 1, 0, Ran(20, 0), true);
  EXPECT_FALSE(learner.PooledEstimate()) << "two successes teach nothing";
  learner.Record(TaskBuilder("m3"), 2, 0, Ran(30, 0), false);
  EXPECT_FALSE(learner.PooledEstimate()) << "a failure is not a success";
  learner.Record(TaskBuilder("m4"), 2, 0, Ran(40, 0), true);
  ASSERT_TRUE(learner.PooledEstimate());
  EXPECT_GE(*learner.PooledEstimate(), std::chrono::seconds(30));
  EXPECT_LE(*learner.PooledEstimate(), std::chrono::seconds(40));
  // Each of those ids is a profile of its own, none with history enough to teach its tasks.
  TaskSpec next = TaskBuilder("m5");
  learner.Apply(&next, /*learn_estimate=*/true, 0);
  EXPECT_FALSE(next.time_estimate) << "the pooled estimate never changes a spec";
}

TEST(ProfileLearnerTest, AttemptsThatTookNoTimeGiveNoPooledEstimate) {
  ProfileLearner learner;
  for (int i = 0; i < 5; ++i) learner.Record(TaskBuilder("t" + std::to_string(i)), 1, 0,
                                             Ran(0, 0), true);
  EXPECT_FALSE(learner.PooledEstimate());
}

}  // namespace
}  // namespace allot
