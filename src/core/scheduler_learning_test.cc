// The scheduler learns from every ended attempt: `memory: auto` tasks and tasks without a
// time_estimate take their profile's learned values once it has history; memory: auto grows
// after a kill at its (learned) limit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/scheduler.h"
#include "testing/fake_launcher_driver.h"
#include "testing/task_builder.h"
#include "testing/test_machines.h"

namespace allot {
namespace {

using namespace std::chrono_literals;
constexpr int64_t kMiB = int64_t{1} << 20;

TaskSpec Auto(const std::string& id, std::vector<std::string> deps = {}) {
  TaskSpec s = TaskBuilder(id).DependsOn(std::move(deps));
  s.resources.memory_auto = true;
  s.tags["profile"] = "sim";
  return s;
}

void Finish(FakeLauncherDriver& d, const std::string& id, int64_t peak, Duration wall) {
  TaskIndex t = *d.scheduler().Find(id);
  AttemptUsage u;
  u.exit_code = 0;
  u.max_rss_bytes = peak;
  u.wall = wall;
  u.user_cpu = wall;
  d.ExitExecution(MakeExecutionId(t, d.scheduler().attempts(t)), u);
}

TEST(SchedulerLearningTest, MemoryAutoAndMissingEstimatesTakeTheProfilesLearnedValues) {
  FakeLauncherDriver d(FlatMachine(4, 64 * kGiB));
  ASSERT_TRUE(d.Submit({Auto("sim-1"), Auto("sim-2"), Auto("sim-3"),
                        Auto("sim-4", {"sim-1", "sim-2", "sim-3"})})
                  .ok());
  d.Turn();
  const TaskIndex first = *d.scheduler().Find("sim-1");
  EXPECT_EQ(d.scheduler().spec(first).resources.memory_bytes, 0) << "no history yet";
  Finish(d, "sim-1", 100 * kMiB, 10s);
  Finish(d, "sim-2", 90 * kMiB, 12s);
  Finish(d, "sim-3", 95 * kMiB, 11s);
  const TaskSpec& later = d.scheduler().spec(*d.scheduler().Find("sim-4"));
  // P95 of the peaks x 1.2, rounded up to 64 MiB; P90 of the walls.
  EXPECT_EQ(later.resources.memory_bytes, 128 * kMiB);
  ASSERT_TRUE(later.time_estimate.has_value());
  EXPECT_GE(*later.time_estimate, 11s);
  EXPECT_LE(*later.time_estimate, 12s);
  Outbox turn = d.Turn();
  ASSERT_EQ(turn.launches.size(), 1u);
  EXPECT_EQ(turn.launches[0].allocation.memory_bytes, 128 * kMiB) << "placed with it";
}

TEST(SchedulerLearningTest, AUsersOwnEstimateAndMemoryAreNeverOverridden) {
  FakeLauncherDriver d(FlatMachine(4, 64 * kGiB));
  TaskSpec mine = TaskBuilder("sim-9").Memory(300 * kMiB).Estimate(1h);
  mine.tags["profile"] = "sim";
  ASSERT_TRUE(d.Submit({Auto("sim-1"), Auto("sim-2"), Auto("sim-3")}).ok());
  d.Turn();
  Finish(d, "sim-1", 100 * kMiB, 10s);
  Finish(d, "sim-2", 90 * kMiB, 12s);
  Finish(d, "sim-3", 95 * kMiB, 11s);
  ASSERT_TRUE(d.Submit({mine}).ok());
  const TaskSpec& s = d.scheduler().spec(*d.scheduler().Find("sim-9"));
  EXPECT_EQ(s.resources.memory_bytes, 300 * kMiB);
  EXPECT_EQ(*s.time_estimate, 1h);
}

TEST(SchedulerLearningTest, LearnedValuesSurviveARestart) {
  FakeLauncherDriver d(FlatMachine(4, 64 * kGiB));
  ASSERT_TRUE(d.Submit({Auto("sim-1"), Auto("sim-2"), Auto("sim-3"),
                        Auto("sim-4", {"sim-1", "sim-2", "sim-3"})})
                  .ok());
  d.Turn();
  Finish(d, "sim-1", 100 * kMiB, 10s);
  Finish(d, "sim-2", 90 * kMiB, 12s);
  Finish(d, "sim-3", 95 * kMiB, 11s);
  ASSERT_TRUE(d.Restart().ok());
  EXPECT_EQ(d.scheduler().profiles().Find("sim")->attempts(), 3);
  EXPECT_EQ(d.scheduler().spec(*d.scheduler().Find("sim-4")).resources.memory_bytes,
            128 * kMiB);
}

TEST(SchedulerLearningTest, MemoryAutoKilledAtItsLearnedLimitGrowsUpToTheMachine) {
  FakeLauncherDriver d(FlatMachine(4, 1 * kGiB));
  ASSERT_TRUE(d.Submit({Auto("sim-1"), Auto("sim-2"), Auto("sim-3"),
                        Auto("sim-4", {"sim-1", "sim-2", "sim-3"})})
                  .ok());
  d.Turn();
  Finish(d, "sim-1", 100 * kMiB, 10s);
  Finish(d, "sim-2", 90 * kMiB, 12s);
  Finish(d, "sim-3", 95 * kMiB, 11s);
  d.Turn();
  const TaskIndex t = *d.scheduler().Find("sim-4");
  AttemptUsage killed;
  killed.term_signal = 9;
  killed.memory_exceeded = true;
  killed.max_rss_bytes = 130 * kMiB;
  d.ExitExecution(MakeExecutionId(t, 1), killed);
  EXPECT_EQ(d.State("sim-4"), TaskState::kReady);
  EXPECT_EQ(d.scheduler().spec(t).resources.memory_bytes, 256 * kMiB);
}

}  // namespace
}  // namespace allot
