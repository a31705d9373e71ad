// Scheduler: an attempt killed at its memory limit runs again at once with more memory (only
// memory grows, within memory_max and the largest worker), without using up retries; the grown
// request is journaled and survives a restart.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>

#include "core/scheduler.h"
#include "testing/fake_launcher_driver.h"
#include "testing/task_builder.h"
#include "testing/test_machines.h"

namespace allot {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kMiB = int64_t{1} << 20;
constexpr int64_t kGiB = int64_t{1} << 30;

// Reports that the live attempt of `id` was killed at its memory limit after peaking at `peak`.
void KillAtMemoryLimit(FakeLauncherDriver& d, const std::string& id, int64_t peak) {
  const LaunchOrder* live = d.Live(id);
  ASSERT_NE(live, nullptr) << id << " is not running";
  AttemptUsage usage;
  usage.term_signal = SIGKILL;
  usage.memory_exceeded = true;
  usage.max_rss_bytes = peak;
  d.ExitExecution(live->execution, usage);
}

TEST(SchedulerMemoryTest, KilledAtItsLimitRunsAgainAtOnceWithMoreMemoryAndNothingElseChanged) {
  FakeLauncherDriver d(FlatMachine(4, 16 * kGiB));
  ASSERT_TRUE(d.Submit({TaskBuilder("a").Cores(2).Memory(kGiB).MemoryMax(8 * kGiB).TimeLimit(
                           std::chrono::hours(1))})
                  .ok());
  d.Turn();
  KillAtMemoryLimit(d, "a", kGiB + 512 * kMiB);
  EXPECT_EQ(d.State("a"), TaskState::kReady);
  const TaskEvent e = d.EventsOf("a").back();
  EXPECT_EQ(e.to, TaskState::kReady);
  EXPECT_EQ(e.memory_bytes, 2 * kGiB);
  ASSERT_TRUE(e.usage.has_value());
  EXPECT_TRUE(e.usage->memory_exceeded);
  EXPECT_THAT(e.reason, HasSubstr("killed at its memory limit of 1 GiB (peak 1.5 GiB); runs "
                                  "again with 2 GiB"));
  Outbox turn = d.Turn();
  ASSERT_EQ(turn.launches.size(), 1u);
  EXPECT_EQ(turn.launches[0].allocation.memory_bytes, 2 * kGiB);
  EXPECT_EQ(turn.launches[0].allocation.cpus.size(), 2u);
  const TaskSpec& spec = d.scheduler().spec(d.Index("a"));
  EXPECT_EQ(spec.resources.memory_bytes, 2 * kGiB);
  EXPECT_EQ(spec.resources.cores.min, 2);
  EXPECT_EQ(spec.time_limit, std::chrono::hours(1));
}

TEST(SchedulerMemoryTest, GrowsToTheLargerOfTwiceTheLimitAndAQuarterAboveThePeakIn64MiBSteps) {
  FakeLauncherDriver d(FlatMachine(1, 16 * kGiB));
  ASSERT_TRUE(d.Submit({TaskBuilder("a").Memory(100 * kMiB).MemoryMax(kGiB)}).ok());
  d.Turn();
  KillAtMemoryLimit(d, "a", 300 * kMiB);  // 1.25 x 300 MiB = 375 MiB -> 384 MiB
  EXPECT_EQ(d.EventsOf("a").back().memory_bytes, 384 * kMiB);
}

TEST(SchedulerMemoryTest, AtMemoryMaxTheTaskFailsSayingSo) {
  FakeLauncherDriver d(FlatMachine(1, 16 * kGiB));
  ASSERT_TRUE(d.Submit({TaskBuilder("a").Memory(kGiB).MemoryMax(kGiB + 512 * kMiB),
                        TaskBuilder("after").DependsOn({"a"})})
                  .ok());
  d.Turn();
  KillAtMemoryLimit(d, "a", kGiB + kMiB);
  EXPECT_EQ(d.EventsOf("a").back().memory_bytes, kGiB + 512 * kMiB);  // capped
  d.Turn();
  KillAtMemoryLimit(d, "a", kGiB + 600 * kMiB);
  EXPECT_EQ(d.State("a"), TaskState::kFailed);
  EXPECT_THAT(d.EventsOf("a").back().reason,
              HasSubstr("killed at its memory limit of 1.5 GiB (peak 1.6 GiB); memory_max "
                        "1.5 GiB reached"));
  EXPECT_EQ(d.State("after"), TaskState::kSkipped);
}

TEST(SchedulerMemoryTest, GrowingMemoryUsesNoRetries) {
  FakeLauncherDriver d(FlatMachine(1, 16 * kGiB));
  ASSERT_TRUE(d.Submit({TaskBuilder("a").Memory(kGiB).MemoryMax(8 * kGiB).Retries(1)}).ok());
  d.Turn();
  KillAtMemoryLimit(d, "a", kGiB);
  d.Turn();
  KillAtMemoryLimit(d, "a", 2 * kGiB);
  d.Turn();
  d.Exit("a", 1);  // an ordinary failure: the one retry
  EXPECT_EQ(d.State("a"), TaskState::kReady);
  EXPECT_THAT(d.EventsOf("a").back().reason, HasSubstr("retry 1 of 1"));
  d.Turn();
  EXPECT_EQ(d.Live("a")->allocation.memory_bytes, 4 * kGiB) << "a retry keeps the grown memory";
  d.Exit("a", 1);
  EXPECT_EQ(d.State("a"), TaskState::kFailed);
}

TEST(SchedulerMemoryTest, WithoutMemoryMaxAKillAtTheLimitIsAnOrdinaryFailure) {
  FakeLauncherDriver d(FlatMachine(1, 16 * kGiB));
  ASSERT_TRUE(d.Submit({TaskBuilder("a").Memory(kGiB)}).ok());
  d.Turn();
  KillAtMemoryLimit(d, "a", 3 * kGiB / 2);
  EXPECT_EQ(d.State("a"), TaskState::kFailed);
  EXPECT_THAT(d.EventsOf("a").back().reason,
              HasSubstr("killed at its memory limit of 1 GiB (peak 1.5 GiB)"));
  EXPECT_EQ(d.EventsOf("a").back().memory_bytes, 0);
}

TEST(SchedulerMemoryTest, GrowthStopsAtTheLargestWorker) {
  FakeLauncherDriver d(FlatMachine(1, 3 * kGiB));
  ASSERT_TRUE(d.Submit({TaskBuilder("a").Memory(2 * kGiB).MemoryMax(8 * kGiB)}).ok());
  d.Turn();
  KillAtMemoryLimit(d, "a", 2 * kGiB);
  EXPECT_EQ(d.EventsOf("a").back().memory_bytes, 3 * kGiB);
  d.Turn();
  KillAtMemoryLimit(d, "a", 3 * kGiB);
  EXPECT_EQ(d.State("a"), TaskState::kFailed);
  EXPECT_THAT(d.EventsOf("a").back().reason, HasSubstr("no worker has more than 3 GiB"));
}

TEST(SchedulerMemoryTest, GrownMemoryIsKeptAcrossARestart) {
  FakeLauncherDriver d(FlatMachine(1, 16 * kGiB));
  ASSERT_TRUE(d.Submit({TaskBuilder("a").Memory(kGiB).MemoryMax(8 * kGiB)}).ok());
  d.Turn();
  KillAtMemoryLimit(d, "a", kGiB);
  ASSERT_TRUE(d.Restart().ok());
  EXPECT_EQ(d.scheduler().spec(d.Index("a")).resources.memory_bytes, 2 * kGiB);
  Outbox turn = d.Turn();
  ASSERT_EQ(turn.launches.size(), 1u);
  EXPECT_EQ(turn.launches[0].allocation.memory_bytes, 2 * kGiB);
  // Still no retry used up after the restart: the next kill grows again.
  KillAtMemoryLimit(d, "a", 2 * kGiB);
  EXPECT_EQ(d.State("a"), TaskState::kReady);
  EXPECT_EQ(d.EventsOf("a").back().memory_bytes, 4 * kGiB);
}

}  // namespace
}  // namespace allot
