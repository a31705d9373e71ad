// The checkpoint contract in the core: when the checkpoint signal goes out (every, stop,
// allot checkpoint), and what the checkpoint exit code leads to (model/checkpoint_spec.h).
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
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// An exit with the checkpoint exit code; `sealed`: it left set `set`.
AttemptUsage CheckpointExit(int set, bool sealed = true) {
  AttemptUsage u;
  u.exit_code = 85;
  u.checkpointed = sealed;
  u.checkpoint = sealed ? R"({"sealed":{"set":)" + std::to_string(set) + R"(,"files":[]}})"
                        : R"({"incomplete":"no file matches 'state.bin' of checkpoint.files"})";
  return u;
}

CheckpointSpec Every(Duration every, int signal = SIGUSR1) {
  CheckpointSpec c;
  c.every = every;
  c.signal = signal;
  c.grace = 20s;
  return c;
}

TEST(SchedulerCheckpointTest, TheCheckpointExitCodeRunsItAgainWithoutUsingUpRetries) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(d.Submit({TaskBuilder("sim").Checkpoint()}).ok());  // max_retries 0
  d.Turn();
  for (int set = 1; set <= 20; ++set) {
    d.ExitExecution(d.Live("sim")->execution, CheckpointExit(set));
    d.Turn();
    ASSERT_TRUE(d.IsRunning("sim")) << "after checkpoint " << set;
  }
  std::vector<TaskEvent> events = d.EventsOf("sim");
  EXPECT_EQ(events[events.size() - 3].to, TaskState::kPreempted);
  EXPECT_EQ(events[events.size() - 3].reason, "checkpointed (set 20)");
  EXPECT_EQ(events[events.size() - 2].reason, "runs again from its checkpoint");
  d.Exit("sim", 3);
  EXPECT_EQ(d.State("sim"), TaskState::kFailed) << "a real failure still fails (0 retries)";
  EXPECT_EQ(d.scheduler().attempts(d.Index("sim")), 21u);
}

TEST(SchedulerCheckpointTest, ACheckpointWithRetriesLeftGivesAFreshRetryBudget) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(d.Submit({TaskBuilder("sim").Checkpoint().Retries(1)}).ok());
  d.Turn();
  d.Exit("sim", 1);  // retry 1 of 1
  d.Turn();
  d.ExitExecution(d.Live("sim")->execution, CheckpointExit(1));
  d.Turn();
  d.Exit("sim", 1);  // a retry again: the checkpoint was progress
  d.Turn();
  ASSERT_TRUE(d.IsRunning("sim"));
  const std::vector<TaskEvent> events = d.EventsOf("sim");
  EXPECT_THAT(events[events.size() - 2].reason, HasSubstr("retry 1 of 1"));
}

TEST(SchedulerCheckpointTest, TheExitCodeWithoutACompleteSetCountsAsAnInterruption) {
  SchedulerOptions options;
  options.crash_limit = 2;
  FakeLauncherDriver d(FlatMachine(1), options);
  ASSERT_TRUE(d.Submit({TaskBuilder("sim").Checkpoint()}).ok());
  d.Turn();
  d.ExitExecution(d.Live("sim")->execution, CheckpointExit(0, /*sealed=*/false));
  d.Turn();
  const std::vector<TaskEvent> events = d.EventsOf("sim");
  EXPECT_EQ(events[events.size() - 3].reason,
            "exited with its checkpoint exit code 85 but left no complete checkpoint (its "
            "checkpoint was not kept: no file matches 'state.bin' of checkpoint.files)");
  d.ExitExecution(d.Live("sim")->execution, CheckpointExit(0, false));
  d.Turn();
  d.ExitExecution(d.Live("sim")->execution, CheckpointExit(0, false));
  d.Turn();
  EXPECT_EQ(d.State("sim"), TaskState::kFailed);
  EXPECT_EQ(d.EventsOf("sim").back().reason,
            "interrupted 3 times without a checkpoint (crash limit 2)");
}

TEST(SchedulerCheckpointTest, ATaskWithoutTheContractFailsOnThatExitCodeAsOnAnyOther) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(d.Submit({TaskBuilder("plain")}).ok());
  d.Turn();
  d.Exit("plain", 85);
  EXPECT_EQ(d.State("plain"), TaskState::kFailed);
}

TEST(SchedulerCheckpointTest, EveryAsksForACheckpointEachIntervalOfItsRun) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(d.Submit({TaskBuilder("sim").Checkpoint(Every(10min))}).ok());
  d.Turn();
  d.Advance(9min);
  EXPECT_THAT(d.SignalsTo("sim"), IsEmpty());
  d.Advance(1min);
  EXPECT_THAT(d.SignalsTo("sim"), ElementsAre(SIGUSR1));
  d.Advance(10min);  // a task that checkpoints in place and goes on is asked again
  EXPECT_THAT(d.SignalsTo("sim"), ElementsAre(SIGUSR1, SIGUSR1));
  d.ExitExecution(d.Live("sim")->execution, CheckpointExit(1));
  d.Turn();
  d.Advance(5min);
  EXPECT_EQ(d.SignalsTo("sim").size(), 2u) << "the new attempt's interval starts at its start";
  d.Advance(5min);
  EXPECT_EQ(d.SignalsTo("sim").size(), 3u);
}

TEST(SchedulerCheckpointTest, StopAsksForACheckpointAndWaitsItsCheckpointGrace) {
  FakeLauncherDriver d(FlatMachine(2));
  ASSERT_TRUE(d.Submit({TaskBuilder("sim").Checkpoint(Every(1h)).Grace(2s),
                        TaskBuilder("plain").Grace(2s)})
                  .ok());
  d.Turn();
  d.Stop(false);
  EXPECT_THAT(d.SignalsTo("sim"), ElementsAre(SIGUSR1));
  EXPECT_THAT(d.SignalsTo("plain"), ElementsAre(SIGTERM));
  d.Advance(3s);
  EXPECT_THAT(d.SignalsTo("plain"), ElementsAre(SIGTERM, SIGKILL));
  EXPECT_THAT(d.SignalsTo("sim"), ElementsAre(SIGUSR1)) << "20 s to write its checkpoint";
  d.ExitExecution(d.Live("sim")->execution, CheckpointExit(4));
  d.Turn();
  EXPECT_EQ(d.State("sim"), TaskState::kPreempted);
  EXPECT_EQ(d.EventsOf("sim").back().reason, "allot was stopped while it ran (set 4)");
  ASSERT_TRUE(d.Restart().ok());
  EXPECT_EQ(d.State("sim"), TaskState::kReady);
}

TEST(SchedulerCheckpointTest, APersonsCheckpointSendsTheSignalOnlyToATaskThatDeclaresOne) {
  FakeLauncherDriver d(FlatMachine(2));
  ASSERT_TRUE(d.Submit({TaskBuilder("sim").Checkpoint(Every(1h, SIGUSR2)), TaskBuilder("plain"),
                        TaskBuilder("queued").Checkpoint().DependsOn({"plain"})})
                  .ok());
  d.Turn();
  Scheduler& s = d.scheduler();
  ASSERT_TRUE(s.CheckControl(d.Index("sim"), ControlAction::kCheckpoint).ok());
  s.Control(d.Index("sim"), ControlAction::kCheckpoint);
  d.Turn();
  EXPECT_THAT(d.SignalsTo("sim"), ElementsAre(SIGUSR2));
  EXPECT_EQ(s.CheckControl(d.Index("plain"), ControlAction::kCheckpoint).message(),
            "task 'plain' declares no checkpoint (the task file's 'checkpoint' field)");
  EXPECT_EQ(s.CheckControl(d.Index("queued"), ControlAction::kCheckpoint).message(),
            "task 'queued' is waiting; only a running task can be asked for a checkpoint");
}

TEST(SchedulerCheckpointTest, ADrainAsksCheckpointingTasksToCheckpointAndLetsTheOthersFinish) {
  FakeLauncherDriver d(FlatMachine(2));
  ASSERT_TRUE(d.Submit({TaskBuilder("sim").Checkpoint(Every(1h)), TaskBuilder("plain")}).ok());
  d.Turn();
  d.scheduler().DrainWorker(0);
  d.Drain();
  EXPECT_THAT(d.SignalsTo("sim"), ElementsAre(SIGUSR1));
  EXPECT_THAT(d.SignalsTo("plain"), IsEmpty());
  d.ExitExecution(d.Live("sim")->execution, CheckpointExit(2));
  const std::vector<TaskEvent> events = d.EventsOf("sim");
  EXPECT_EQ(events[events.size() - 2].reason, "its worker is draining (set 2)");
  EXPECT_EQ(d.State("sim"), TaskState::kReady) << "to run again elsewhere";
  d.Turn();
  EXPECT_FALSE(d.IsRunning("sim")) << "not on the draining worker";
  d.Exit("plain", 0);
  EXPECT_EQ(d.State("plain"), TaskState::kSucceeded);
}

}  // namespace
}  // namespace allot
