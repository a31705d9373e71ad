// Preemption (SchedulerOptions::preempt_after): preemptible work of lower priority makes room
// for higher-priority work that waited long enough; protected work never does; min_runtime
// protects a young attempt; a preempted attempt is not a failure and runs again.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <string>

#include "core/scheduler.h"
#include "testing/fake_launcher_driver.h"
#include "testing/task_builder.h"
#include "testing/test_machines.h"

namespace allot {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class SchedulerPreemptionTest : public ::testing::Test {
 protected:
  SchedulerPreemptionTest() : d_(FlatMachine(3)) {
    EXPECT_TRUE(d_.Submit({TaskBuilder("guard").Protected(), TaskBuilder("lo-1").Preemptible(),
                           TaskBuilder("lo-2").Preemptible()})
                    .ok());
    d_.Turn();
    d_.Advance(1s);
    d_.Turn();  // the server loop schedules after timers
  }
  FakeLauncherDriver d_;
};

TEST_F(SchedulerPreemptionTest, LowerPriorityPreemptibleWorkMakesRoomAfterTheWait) {
  ASSERT_TRUE(d_.Submit({TaskBuilder("urgent").Cores(2).Priority(10)}).ok());
  d_.Turn();
  d_.Advance(4min);
  d_.Turn();  // the server loop schedules after timers
  EXPECT_THAT(d_.SignalsTo("lo-1"), IsEmpty());
  d_.Advance(1min);
  d_.Turn();  // the server loop schedules after timers  // preempt_after (5 min) is over
  EXPECT_THAT(d_.SignalsTo("lo-1"), ElementsAre(SIGTERM));
  EXPECT_THAT(d_.SignalsTo("lo-2"), ElementsAre(SIGTERM));
  EXPECT_THAT(d_.SignalsTo("guard"), IsEmpty());
  d_.Kill("lo-1", SIGTERM);
  d_.Turn();
  EXPECT_FALSE(d_.IsRunning("urgent")) << "it needs both cores";
  d_.Exit("lo-2", 0);  // whatever it exits with, it was preempted
  d_.Turn();
  EXPECT_TRUE(d_.IsRunning("urgent"));
  for (const char* id : {"lo-1", "lo-2"}) {
    std::vector<TaskEvent> events = d_.EventsOf(id);
    ASSERT_GE(events.size(), 2u);
    EXPECT_EQ(events[events.size() - 2].to, TaskState::kPreempted);
    EXPECT_EQ(events[events.size() - 2].reason,
              "preempted for 'urgent' (priority 10 > 0, it waited 5m00s)");
    EXPECT_EQ(d_.State(id), TaskState::kReady) << "runs again, no retry used";
  }
}

TEST_F(SchedulerPreemptionTest, AProtectedTaskIsNeverPreemptedUnderAFloodOfHigherPriorityWork) {
  std::vector<TaskSpec> flood;
  for (int i = 0; i < 20; ++i) flood.push_back(TaskBuilder("hi-" + std::to_string(i)).Priority(99));
  ASSERT_TRUE(d_.Submit(flood).ok());
  for (int hour = 0; hour < 24; ++hour) {
    d_.Advance(1h);
    d_.Turn();  // the server loop schedules after timers
    for (const char* id : {"lo-1", "lo-2"}) {
      if (d_.IsRunning(id) && !d_.SignalsTo(id).empty()) d_.Kill(id, SIGTERM);
    }
    d_.Turn();
  }
  EXPECT_THAT(d_.SignalsTo("guard"), IsEmpty());
  EXPECT_TRUE(d_.IsRunning("guard"));
  EXPECT_TRUE(d_.IsRunning("hi-0") && d_.IsRunning("hi-1"));
}

TEST(SchedulerPreemptionRulesTest, NotBeforeMinRuntimeNorForEqualPriorityNorWhenDisabled) {
  {
    FakeLauncherDriver d(FlatMachine(1));
    ASSERT_TRUE(d.Submit({TaskBuilder("young").Preemptible(/*min_runtime=*/1h)}).ok());
    d.Turn();
    ASSERT_TRUE(d.Submit({TaskBuilder("urgent").Priority(5)}).ok());
    d.Turn();
    d.Advance(30min);
    d.Turn();  // the server loop schedules after timers
    EXPECT_THAT(d.SignalsTo("young"), IsEmpty()) << "protected for its first hour";
    d.Advance(31min);
    d.Turn();  // the server loop schedules after timers
    d.Turn();
    EXPECT_THAT(d.SignalsTo("young"), ElementsAre(SIGTERM));
  }
  {
    FakeLauncherDriver d(FlatMachine(1));
    ASSERT_TRUE(d.Submit({TaskBuilder("same").Preemptible().Priority(5)}).ok());
    d.Turn();
    ASSERT_TRUE(d.Submit({TaskBuilder("urgent").Priority(5)}).ok());
    d.Turn();
    d.Advance(1h);
    d.Turn();  // the server loop schedules after timers
    EXPECT_THAT(d.SignalsTo("same"), IsEmpty()) << "only for higher priority";
  }
  {
    SchedulerOptions never;
    never.preempt_after.reset();
    FakeLauncherDriver d(FlatMachine(1), never);
    ASSERT_TRUE(d.Submit({TaskBuilder("lo").Preemptible()}).ok());
    d.Turn();
    ASSERT_TRUE(d.Submit({TaskBuilder("urgent").Priority(5)}).ok());
    d.Turn();
    d.Advance(1h);
    d.Turn();  // the server loop schedules after timers
    EXPECT_THAT(d.SignalsTo("lo"), IsEmpty());
  }
}

TEST(SchedulerPreemptionRulesTest, ACheckpointingTaskIsAskedForItsCheckpointAndResumesFromIt) {
  FakeLauncherDriver d(FlatMachine(1));
  CheckpointSpec c;
  c.signal = SIGUSR1;
  c.grace = 2min;
  ASSERT_TRUE(d.Submit({TaskBuilder("sim").Preemptible().Checkpoint(c)}).ok());
  d.Turn();
  ASSERT_TRUE(d.Submit({TaskBuilder("urgent").Priority(5)}).ok());
  d.Turn();
  d.Advance(5min);
  d.Turn();  // the server loop schedules after timers
  EXPECT_THAT(d.SignalsTo("sim"), ElementsAre(SIGUSR1));
  d.Advance(1min);
  d.Turn();  // the server loop schedules after timers
  EXPECT_THAT(d.SignalsTo("sim"), ElementsAre(SIGUSR1)) << "2 min to write its checkpoint";
  AttemptUsage u;
  u.exit_code = 85;
  u.checkpointed = true;
  u.checkpoint = R"({"sealed":{"set":1,"files":[]}})";
  d.ExitExecution(d.Live("sim")->execution, u);
  d.Turn();
  std::vector<TaskEvent> events = d.EventsOf("sim");
  EXPECT_EQ(events[events.size() - 2].reason,
            "preempted for 'urgent' (priority 5 > 0, it waited 5m00s) (set 1)");
  EXPECT_EQ(events.back().reason, "runs again from its checkpoint");
  EXPECT_TRUE(d.IsRunning("urgent"));
  d.Exit("urgent", 0);
  d.Turn();
  EXPECT_TRUE(d.IsRunning("sim"));
}

}  // namespace
}  // namespace allot
