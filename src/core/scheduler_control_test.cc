// A person's cancel, pause, resume, skip, hold and release: the transitions, the signals, what the
// dependents do, and the refusals that change nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <string>
#include <vector>

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

class SchedulerControlTest : public ::testing::Test {
 protected:
  SchedulerControlTest() : d_(FlatMachine(1)) {
    EXPECT_TRUE(d_.Submit({TaskBuilder("run").Grace(5s), TaskBuilder("queued"),
                           TaskBuilder("after-run").DependsOn({"run"}),
                           TaskBuilder("after-queued").DependsOn({"queued"})})
                    .ok());
    d_.Turn();
  }
  TaskIndex Index(const std::string& id) { return *d_.scheduler().Find(id); }
  Status Check(const std::string& id, ControlAction a) {
    return d_.scheduler().CheckControl(Index(id), a);
  }
  Outbox Apply(const std::string& id, ControlAction a) {
    EXPECT_TRUE(Check(id, a).ok()) << Check(id, a).ToString();
    d_.scheduler().Control(Index(id), a);
    return d_.Drain();
  }
  FakeLauncherDriver d_;
};

TEST_F(SchedulerControlTest, PauseStopsTheGroupAndResumeContinuesItKeepingItsCores) {
  Outbox pause = Apply("run", ControlAction::kPause);
  EXPECT_EQ(d_.State("run"), TaskState::kPaused);
  ASSERT_EQ(pause.signals.size(), 1u);
  EXPECT_EQ(pause.signals[0].signal, SIGSTOP);
  EXPECT_TRUE(pause.events.at(0).by_user);
  EXPECT_THAT(d_.Turn().launches, IsEmpty()) << "a paused task keeps its core";
  Outbox resume = Apply("run", ControlAction::kResume);
  EXPECT_EQ(d_.State("run"), TaskState::kRunning);
  EXPECT_EQ(resume.signals.at(0).signal, SIGCONT);
  d_.Exit("run", 0);
  EXPECT_EQ(d_.State("run"), TaskState::kSucceeded);
  EXPECT_EQ(d_.scheduler().attempts(Index("run")), 1u) << "resume is not a new attempt";
}

TEST_F(SchedulerControlTest, CancelOfARunningTaskTermsThenKillsAfterGraceAndSkipsDependents) {
  Outbox cancel = Apply("run", ControlAction::kCancel);
  EXPECT_THAT(d_.SignalsTo("run"), ElementsAre(SIGTERM));
  EXPECT_EQ(d_.State("run"), TaskState::kRunning) << "canceled once it has exited";
  EXPECT_TRUE(d_.scheduler().CancelPending(Index("run")));
  d_.Advance(5s);
  EXPECT_THAT(d_.SignalsTo("run"), ElementsAre(SIGTERM, SIGKILL));
  d_.Kill("run", SIGKILL);
  EXPECT_EQ(d_.State("run"), TaskState::kCanceled);
  EXPECT_EQ(d_.State("after-run"), TaskState::kSkipped);
}

TEST_F(SchedulerControlTest, CancelOfAPausedTaskContinuesItSoItCanHandleSigterm) {
  Apply("run", ControlAction::kPause);
  Apply("run", ControlAction::kCancel);
  EXPECT_THAT(d_.SignalsTo("run"), ElementsAre(SIGSTOP, SIGTERM, SIGCONT));
  d_.Exit("run", 143);
  EXPECT_EQ(d_.State("run"), TaskState::kCanceled);
}

TEST_F(SchedulerControlTest, CancelOfAQueuedTaskIsImmediateAndItsDependentsAreSkipped) {
  Outbox out = Apply("queued", ControlAction::kCancel);
  EXPECT_EQ(d_.State("queued"), TaskState::kCanceled);
  EXPECT_EQ(d_.State("after-queued"), TaskState::kSkipped);
  EXPECT_THAT(out.signals, IsEmpty());
}

TEST_F(SchedulerControlTest, SkipLetsDependentsProceedAsIfItHadSucceeded) {
  Apply("queued", ControlAction::kSkip);
  EXPECT_EQ(d_.State("queued"), TaskState::kSkipped);
  EXPECT_EQ(d_.State("after-queued"), TaskState::kReady);
  // A task submitted later that depends on the skipped one is ready at once.
  ASSERT_TRUE(d_.Submit({TaskBuilder("late").DependsOn({"queued"})}).ok());
  EXPECT_EQ(d_.State("late"), TaskState::kReady);
}

TEST_F(SchedulerControlTest, ASkipSurvivesARestartWithItsDependentsStillAllowedToRun) {
  Apply("queued", ControlAction::kSkip);
  d_.Restart();
  EXPECT_EQ(d_.State("queued"), TaskState::kSkipped);
  EXPECT_EQ(d_.State("after-queued"), TaskState::kReady);
}

TEST_F(SchedulerControlTest, ActionsThatDoNotApplyAreRefusedWithTheReasonAndChangeNothing) {
  EXPECT_THAT(Check("run", ControlAction::kSkip).message(),
              HasSubstr("task 'run' is running; it has started; cancel it instead"));
  EXPECT_THAT(Check("queued", ControlAction::kPause).message(),
              HasSubstr("only a running task can be paused"));
  EXPECT_THAT(Check("run", ControlAction::kResume).message(),
              HasSubstr("only a paused task can be resumed"));
  d_.Exit("run", 0);
  EXPECT_EQ(Check("run", ControlAction::kCancel).code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(Check("run", ControlAction::kCancel).message(),
              HasSubstr("task 'run' is succeeded"));
  EXPECT_THAT(d_.Drain().events, IsEmpty());
}

TEST_F(SchedulerControlTest, AnExecutionIdMustNameTheCurrentAttempt) {
  const TaskIndex t = Index("run");
  EXPECT_TRUE(d_.scheduler().CheckControl(t, ControlAction::kPause, 1).ok());
  Status stale = d_.scheduler().CheckControl(t, ControlAction::kPause, 2);
  EXPECT_EQ(stale.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(stale.message(), HasSubstr("execution 'run@2' is not running"));
}

// Slurm's suspend stops the clock; so does a pause: the time limit counts running time only.
TEST_F(SchedulerControlTest, TimeSpentPausedDoesNotCountAgainstTheTimeLimit) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(d.Submit({TaskBuilder("t").TimeLimit(4s).Grace(1s)}).ok());
  d.Turn();
  d.Advance(1s);
  ASSERT_TRUE(d.scheduler().CheckControl(0, ControlAction::kPause).ok());
  d.scheduler().Control(0, ControlAction::kPause);
  d.Drain();
  d.Advance(10s);  // far past the limit, but stopped all along
  EXPECT_THAT(d.SignalsTo("t"), ElementsAre(SIGSTOP));
  EXPECT_EQ(d.State("t"), TaskState::kPaused);
  d.scheduler().Control(0, ControlAction::kResume);
  d.Drain();
  EXPECT_THAT(d.Advance(3s - 1us).signals, IsEmpty()) << "3 s of the limit were left";
  EXPECT_THAT(d.Advance(1us).signals, ElementsAre(::testing::Field(&SignalOrder::signal, SIGTERM)));
  EXPECT_THAT(d.SignalsTo("t"), ElementsAre(SIGSTOP, SIGCONT, SIGTERM));
  d.Exit("t", 143);
  EXPECT_EQ(d.State("t"), TaskState::kFailed);
  EXPECT_EQ(d.EventsOf("t").back().reason, "exceeded its time limit");
}

TEST_F(SchedulerControlTest, EveryPauseOfAnAttemptIsLeftOutOfItsTimeLimit) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(d.Submit({TaskBuilder("t").TimeLimit(4s).Grace(1s)}).ok());
  d.Turn();
  for (int i = 0; i < 3; ++i) {  // 1 s running, 5 s paused, three times: 3 s of 4 used
    d.Advance(1s);
    d.scheduler().Control(0, ControlAction::kPause);
    d.Advance(5s);
    d.scheduler().Control(0, ControlAction::kResume);
    d.Drain();
  }
  EXPECT_THAT(d.Advance(1s - 1us).signals, IsEmpty());
  EXPECT_THAT(d.Advance(1us).signals, ElementsAre(::testing::Field(&SignalOrder::signal, SIGTERM)));
  EXPECT_THAT(d.Advance(1h).signals, ElementsAre(::testing::Field(&SignalOrder::signal, SIGKILL)))
      << "one SIGTERM and one SIGKILL, whatever the stale timers of earlier resumes";
}

TEST_F(SchedulerControlTest, APausedTaskThatFinishesWithinItsRunningTimeSucceeds) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(d.Submit({TaskBuilder("t").TimeLimit(4s).Grace(1s)}).ok());
  d.Turn();
  d.Advance(1s);
  d.scheduler().Control(0, ControlAction::kPause);
  d.Advance(4s);
  d.scheduler().Control(0, ControlAction::kResume);
  d.Drain();
  d.Advance(2s);  // 3 s of running time in all, 7 s since it started
  d.Exit("t", 0);
  EXPECT_EQ(d.State("t"), TaskState::kSucceeded);
  EXPECT_THAT(d.SignalsTo("t"), ElementsAre(SIGSTOP, SIGCONT));
}

TEST_F(SchedulerControlTest, AHeldReadyTaskDoesNotStartUntilReleased) {
  Apply("queued", ControlAction::kHold);
  EXPECT_EQ(d_.State("queued"), TaskState::kHeld);
  EXPECT_THAT(d_.WhyWaiting("queued"), HasSubstr("allot release queued"));
  d_.Exit("run", 0);
  d_.Turn();
  // The core is free: the dependent of "run" takes it; the held task stays held.
  EXPECT_TRUE(d_.IsRunning("after-run"));
  EXPECT_EQ(d_.State("queued"), TaskState::kHeld);
  d_.Exit("after-run", 0);
  d_.Turn();
  EXPECT_EQ(d_.State("queued"), TaskState::kHeld);
  EXPECT_FALSE(d_.IsRunning("queued"));
  Apply("queued", ControlAction::kRelease);
  d_.Turn();
  EXPECT_TRUE(d_.IsRunning("queued"));
}

TEST_F(SchedulerControlTest, AHeldWaitingTaskStaysHeldWhenItsDependencyEndsAndIsReadyOnRelease) {
  Apply("after-run", ControlAction::kHold);
  Apply("queued", ControlAction::kHold);
  d_.Exit("run", 0);
  d_.Turn();
  EXPECT_EQ(d_.State("after-run"), TaskState::kHeld);
  EXPECT_FALSE(d_.IsRunning("after-run"));
  Apply("after-run", ControlAction::kRelease);
  d_.Turn();
  EXPECT_TRUE(d_.IsRunning("after-run"));
}

TEST_F(SchedulerControlTest, AReleasedTaskWhoseDependencyIsUnfinishedWaitsForIt) {
  Apply("queued", ControlAction::kHold);  // the one core is for "after-run" when "run" ends
  Apply("after-run", ControlAction::kHold);
  Apply("after-run", ControlAction::kRelease);
  EXPECT_EQ(d_.State("after-run"), TaskState::kWaiting);
  d_.Exit("run", 0);
  d_.Turn();
  EXPECT_TRUE(d_.IsRunning("after-run"));
}

TEST_F(SchedulerControlTest, AHoldSurvivesARestart) {
  Apply("queued", ControlAction::kHold);
  Apply("after-run", ControlAction::kHold);
  ASSERT_TRUE(d_.Restart().ok());
  EXPECT_EQ(d_.State("queued"), TaskState::kHeld);
  EXPECT_EQ(d_.State("after-run"), TaskState::kHeld);
  Apply("queued", ControlAction::kRelease);
  EXPECT_EQ(d_.State("queued"), TaskState::kReady);
}

TEST_F(SchedulerControlTest, AHeldTaskWhoseDependencyFailsIsSkippedAndAHeldOneMayBeCanceled) {
  Apply("after-run", ControlAction::kHold);
  Apply("queued", ControlAction::kHold);
  d_.Exit("run", 1);
  EXPECT_EQ(d_.State("after-run"), TaskState::kSkipped);
  Apply("queued", ControlAction::kCancel);
  EXPECT_EQ(d_.State("queued"), TaskState::kCanceled);
  EXPECT_EQ(d_.State("after-queued"), TaskState::kSkipped);
}

TEST_F(SchedulerControlTest, HoldAndReleaseThatDoNotApplyAreRefusedAndChangeNothing) {
  EXPECT_THAT(Check("run", ControlAction::kHold).message(),
              HasSubstr("task 'run' is running; it has started; pause it instead"));
  EXPECT_THAT(Check("queued", ControlAction::kRelease).message(),
              HasSubstr("task 'queued' is ready; only a held task can be released"));
  Apply("queued", ControlAction::kHold);
  EXPECT_THAT(Check("queued", ControlAction::kHold).message(),
              HasSubstr("only a waiting or ready task can be held"));
  EXPECT_THAT(d_.Drain().events, IsEmpty());
}

}  // namespace
}  // namespace allot
