// Scheduler::Recover: rebuilding state from the journal (submissions + events) after the
// server died. FakeLauncherDriver::Restart feeds everything persisted so far into a fresh
// Scheduler; the driver then checks the recovery's own events like any other.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <string>
#include <vector>

#include "core/scheduler.h"
#include "testing/fake_clock.h"
#include "testing/fake_launcher_driver.h"
#include "testing/task_builder.h"
#include "testing/test_machines.h"

namespace allot {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(SchedulerRecoverTest, RunningAttemptBecomesLostThenReadyAndRerunsAsNextAttempt) {
  FakeLauncherDriver d(FlatMachine(2));
  ASSERT_TRUE(d.Submit({TaskBuilder("a")}).ok());
  d.Turn();
  const size_t before = d.events().size();
  ASSERT_TRUE(d.Restart().ok());
  ASSERT_EQ(d.events().size(), before + 2);
  EXPECT_EQ(d.events()[before].to, TaskState::kLost);
  EXPECT_EQ(d.events()[before].attempt, 1u);
  EXPECT_THAT(d.events()[before].reason, HasSubstr("attempt 1"));
  EXPECT_EQ(d.events()[before + 1].to, TaskState::kReady);
  EXPECT_EQ(d.State("a"), TaskState::kReady);
  EXPECT_EQ(d.scheduler().attempts(d.Index("a")), 1u);
  EXPECT_THAT(d.IdsOf(d.Turn()), ElementsAre("a"));
  EXPECT_EQ(d.Live("a")->attempt, 2u);
  EXPECT_EQ(AttemptOfExecution(d.Live("a")->execution), 2u);
}

TEST(SchedulerRecoverTest, FinishedTasksStayFinishedAndNeverRunAgain) {
  FakeLauncherDriver d(FlatMachine(4));
  ASSERT_TRUE(
      d.Submit({TaskBuilder("ok"), TaskBuilder("bad"), TaskBuilder("child").DependsOn({"bad"}),
                TaskBuilder("after-ok").DependsOn({"ok"})})
          .ok());
  d.Turn();
  d.Exit("ok", 0);
  d.Exit("bad", 1);
  d.Turn();
  d.Exit("after-ok", 0);
  ASSERT_TRUE(d.scheduler().Done());
  const size_t before = d.events().size();
  ASSERT_TRUE(d.Restart().ok());
  EXPECT_EQ(d.events().size(), before) << "nothing to settle";
  EXPECT_EQ(d.State("ok"), TaskState::kSucceeded);
  EXPECT_EQ(d.State("bad"), TaskState::kFailed);
  EXPECT_EQ(d.State("child"), TaskState::kSkipped);
  EXPECT_EQ(d.State("after-ok"), TaskState::kSucceeded);
  EXPECT_EQ(d.scheduler().last_exit(d.Index("bad")), 1);
  EXPECT_TRUE(d.scheduler().Done());
  EXPECT_THAT(d.IdsOf(d.Turn()), IsEmpty());
}

TEST(SchedulerRecoverTest, RecoveredCountsAndTotalsEqualTheLiveOnes) {
  FakeLauncherDriver d(FlatMachine(2));
  ASSERT_TRUE(d.Submit({TaskBuilder("a"), TaskBuilder("b").Retries(1),
                        TaskBuilder("c").DependsOn({"a"}), TaskBuilder("e")})
                  .ok());
  d.Turn();
  AttemptUsage u{.exit_code = 0, .wall = 2s, .user_cpu = 1s, .sys_cpu = 1s};
  d.ExitExecution(d.Live("a")->execution, u);
  d.Exit("b", 1);
  const auto counts = d.scheduler().counts();
  const CampaignTotals totals = d.scheduler().totals();
  ASSERT_TRUE(d.Restart().ok());  // nothing was running: no settling
  EXPECT_EQ(d.scheduler().counts(), counts);
  EXPECT_EQ(d.scheduler().totals().cpu, totals.cpu);
  EXPECT_EQ(d.scheduler().totals().task_wall, totals.task_wall);
  EXPECT_EQ(d.scheduler().totals().attempts_ended, totals.attempts_ended);
}

TEST(SchedulerRecoverTest, DependentsWaitForTheRerunOfTheirLostDependency) {
  FakeLauncherDriver d(FlatMachine(4));
  ASSERT_TRUE(
      d.Submit({TaskBuilder("a"), TaskBuilder("b"), TaskBuilder("c").DependsOn({"a", "b"})}).ok());
  d.Turn();
  d.Exit("b", 0);
  ASSERT_TRUE(d.Restart().ok());
  EXPECT_EQ(d.State("c"), TaskState::kWaiting);
  EXPECT_EQ(d.WhyWaiting("c"), "waiting for a (ready)");
  EXPECT_THAT(d.IdsOf(d.Turn()), ElementsAre("a"));
  d.Exit("a", 0);
  EXPECT_EQ(d.State("c"), TaskState::kReady);
  EXPECT_THAT(d.IdsOf(d.Turn()), ElementsAre("c"));
}

TEST(SchedulerRecoverTest, RetryBackoffIsCutShortByARestart) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(d.Submit({TaskBuilder("a").Retries(2, 1h)}).ok());
  d.Turn();
  d.Exit("a", 1);
  ASSERT_EQ(d.State("a"), TaskState::kWaiting);
  ASSERT_TRUE(d.Restart().ok());
  EXPECT_EQ(d.State("a"), TaskState::kReady);
  EXPECT_EQ(d.EventsOf("a").back().reason, "retry backoff cut short by a restart");
  EXPECT_THAT(d.IdsOf(d.Turn()), ElementsAre("a"));
  EXPECT_EQ(d.Live("a")->attempt, 2u);
}

TEST(SchedulerRecoverTest, PreemptedByStopRunsAgainAfterRestart) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(d.Submit({TaskBuilder("a")}).ok());
  d.Turn();
  d.Stop(true);
  d.Kill("a", SIGKILL);
  ASSERT_EQ(d.State("a"), TaskState::kPreempted);
  ASSERT_TRUE(d.Restart().ok());
  EXPECT_EQ(d.State("a"), TaskState::kReady);
  EXPECT_FALSE(d.scheduler().stopping());
  EXPECT_THAT(d.IdsOf(d.Turn()), ElementsAre("a"));
  EXPECT_EQ(d.Live("a")->attempt, 2u);
}

TEST(SchedulerRecoverTest, CrashLimitFailsTheTaskAndSkipsItsDependents) {
  SchedulerOptions options;
  options.crash_limit = 2;
  FakeLauncherDriver d(FlatMachine(1), options);
  ASSERT_TRUE(d.Submit({TaskBuilder("crashy"), TaskBuilder("child").DependsOn({"crashy"})}).ok());
  for (uint32_t attempt = 1; attempt <= 2; ++attempt) {
    d.Turn();
    ASSERT_EQ(d.Live("crashy")->attempt, attempt);
    ASSERT_TRUE(d.Restart().ok());
    ASSERT_EQ(d.State("crashy"), TaskState::kReady) << "interrupted " << attempt << " times";
  }
  d.Turn();
  ASSERT_TRUE(d.Restart().ok());
  EXPECT_EQ(d.State("crashy"), TaskState::kFailed);
  EXPECT_EQ(d.EventsOf("crashy").back().reason, "interrupted 3 times (crash limit 2)");
  EXPECT_EQ(d.State("child"), TaskState::kSkipped);
  EXPECT_EQ(d.EventsOf("child").back().reason, "dependency 'crashy' failed");
  EXPECT_TRUE(d.scheduler().Done());
}

TEST(SchedulerRecoverTest, RestartsWhileATaskIsNotRunningDoNotCountAsCrashes) {
  SchedulerOptions options;
  options.crash_limit = 1;
  FakeLauncherDriver d(FlatMachine(1), options);
  ASSERT_TRUE(d.Submit({TaskBuilder("a")}).ok());
  d.Turn();
  ASSERT_TRUE(d.Restart().ok());                              // crash 1
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(d.Restart().ok());  // a is ready: no crash
  EXPECT_EQ(d.State("a"), TaskState::kReady);
  d.Turn();
  d.Exit("a", 0);
  EXPECT_EQ(d.State("a"), TaskState::kSucceeded);
}

// max_retries counts failed attempts; attempts lost to a crash have their own limit
// (SchedulerOptions::crash_limit) and must not use up the user's retries.
TEST(SchedulerRecoverTest, InterruptedAttemptsDoNotUseUpRetries) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(d.Submit({TaskBuilder("a").Retries(1, 4s)}).ok());
  d.Turn();
  ASSERT_TRUE(d.Restart().ok());  // attempt 1 lost
  d.Turn();
  d.Exit("a", 1);  // attempt 2 is the first failure: retry 1 of 1
  EXPECT_EQ(d.State("a"), TaskState::kWaiting);
  EXPECT_THAT(d.EventsOf("a").back().reason, HasSubstr("retry 1 of 1 in 4s"));
  d.Advance(4s);
  d.Turn();
  ASSERT_TRUE(d.IsRunning("a"));
  EXPECT_EQ(d.Live("a")->attempt, 3u);
  d.Exit("a", 1);
  EXPECT_EQ(d.State("a"), TaskState::kFailed);
}

TEST(SchedulerRecoverTest, SubmitAfterRecoverContinuesIndicesAndLinksToRecoveredTasks) {
  FakeLauncherDriver d(FlatMachine(2));
  ASSERT_TRUE(d.Submit({TaskBuilder("a"), TaskBuilder("b")}).ok());
  d.Turn();
  d.Exit("a", 0);
  ASSERT_TRUE(d.Restart().ok());
  EXPECT_FALSE(d.Submit({TaskBuilder("a")}).ok()) << "recovered ids are taken";
  ASSERT_TRUE(
      d.Submit({TaskBuilder("c").DependsOn({"a"}), TaskBuilder("e").DependsOn({"b"})}).ok());
  EXPECT_EQ(d.Index("c"), 2u);
  EXPECT_EQ(d.State("c"), TaskState::kReady);
  EXPECT_EQ(d.State("e"), TaskState::kWaiting);
}

// No input pauses an attempt yet, but the journal format allows it: a resume is not a new
// attempt, and an attempt paused when the journal ends is lost like a running one.
TEST(SchedulerRecoverTest, PausedAttemptIsLostAndAResumeIsNotANewAttempt) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(d.Submit({TaskBuilder("a")}).ok());
  d.Turn();
  std::vector<TaskEvent> events = d.events();
  TaskEvent pause;
  pause.task = 0;
  pause.attempt = 1;
  pause.from = TaskState::kRunning;
  pause.to = TaskState::kPaused;
  TaskEvent resume = pause;
  resume.from = TaskState::kPaused;
  resume.to = TaskState::kRunning;
  events.insert(events.end(), {pause, resume, pause});
  FakeClock clock;
  Scheduler s(&clock, FlatMachine(1), {});
  ASSERT_TRUE(s.Recover(d.submissions(), events).ok());
  EXPECT_EQ(s.state(0), TaskState::kReady);
  EXPECT_EQ(s.attempts(0), 1u);
  ASSERT_GE(s.outbox()->events.size(), 1u);
  EXPECT_EQ(s.outbox()->events[0].from, TaskState::kPaused);
  EXPECT_EQ(s.outbox()->events[0].to, TaskState::kLost);
  s.outbox()->Clear();
  s.Schedule();
  ASSERT_EQ(s.outbox()->launches.size(), 1u);
  EXPECT_EQ(s.outbox()->launches[0].attempt, 2u);
}

TEST(SchedulerRecoverTest, EmptyJournalRecoversToAnEmptyScheduler) {
  FakeClock clock;
  Scheduler s(&clock, FlatMachine(1), {});
  EXPECT_TRUE(s.Recover({}, {}).ok());
  EXPECT_EQ(s.task_count(), 0u);
  EXPECT_TRUE(s.outbox()->empty());
  EXPECT_TRUE(s.Done());
}

class SchedulerRecoverCorruptionTest : public ::testing::Test {
 protected:
  SchedulerRecoverCorruptionTest() : d_(FlatMachine(2)) {
    EXPECT_TRUE(d_.Submit({TaskBuilder("a"), TaskBuilder("b").DependsOn({"a"})}).ok());
    d_.Turn();
    d_.Exit("a", 0);
    submissions_ = d_.submissions();
    events_ = d_.events();
  }
  Status Recover() {
    Scheduler s(&clock_, FlatMachine(2), {});
    return s.Recover(submissions_, events_);
  }
  FakeLauncherDriver d_;
  FakeClock clock_;
  std::vector<Submission> submissions_;
  std::vector<TaskEvent> events_;
};

TEST_F(SchedulerRecoverCorruptionTest, TheUntouchedJournalRecovers) { EXPECT_TRUE(Recover().ok()); }

TEST_F(SchedulerRecoverCorruptionTest, EventFromTheWrongStateIsCorruption) {
  events_.push_back(events_.back());  // b becomes ready twice
  Status s = Recover();
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_THAT(s.message(), HasSubstr("task 'b' cannot go from waiting to ready (it is ready)"));
}

TEST_F(SchedulerRecoverCorruptionTest, TransitionOutsideTheTableIsCorruption) {
  TaskEvent e;
  e.task = 1;
  e.from = TaskState::kWaiting;
  e.to = TaskState::kRunning;
  events_.insert(events_.begin(), e);
  EXPECT_EQ(Recover().code(), StatusCode::kCorruption);
}

TEST_F(SchedulerRecoverCorruptionTest, EventForAnUnknownTaskIsCorruption) {
  events_.back().task = 9;
  EXPECT_EQ(Recover().code(), StatusCode::kCorruption);
}

TEST_F(SchedulerRecoverCorruptionTest, SubmissionOutOfOrderIsCorruption) {
  std::swap(submissions_[0], submissions_[1]);
  EXPECT_EQ(Recover().code(), StatusCode::kCorruption);
}

TEST_F(SchedulerRecoverCorruptionTest, SubmissionInANonInitialStateIsCorruption) {
  submissions_[1].initial_state = TaskState::kSucceeded;
  events_.resize(2);  // only a's events: nothing else would trip over b's state
  EXPECT_EQ(Recover().code(), StatusCode::kCorruption);
}

TEST_F(SchedulerRecoverCorruptionTest, RecoverOnANonEmptySchedulerIsRefused) {
  Scheduler s(&clock_, FlatMachine(2), {});
  ASSERT_TRUE(s.Submit({TaskBuilder("x")}).ok());
  EXPECT_EQ(s.Recover(submissions_, events_).code(), StatusCode::kFailedPrecondition);
}

TEST_F(SchedulerRecoverCorruptionTest, BriefSubmissionOfAnUnfinishedTaskIsCorruption) {
  submissions_[1].brief = true;  // b is ready, not finished
  Status s = Recover();
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_THAT(s.message(), HasSubstr("task 'b' came without its spec but has not finished"));
}

TEST_F(SchedulerRecoverCorruptionTest, FinishedFlagTheEventsContradictIsCorruption) {
  Scheduler s(&clock_, FlatMachine(2), {});
  ASSERT_TRUE(s.BeginRecover(submissions_, {true, true}).ok());  // b has not finished
  ASSERT_TRUE(s.ReplayRecovered(events_).ok());
  Status finished = s.FinishRecover();
  EXPECT_EQ(finished.code(), StatusCode::kCorruption);
  EXPECT_THAT(finished.message(), HasSubstr("task 'b' was said to have finished"));
}

TEST(SchedulerRecoverStepsTest, EventsReplayedInPiecesRecoverAsAllAtOnce) {
  FakeLauncherDriver d(FlatMachine(2));
  ASSERT_TRUE(d.Submit({TaskBuilder("a"), TaskBuilder("b").DependsOn({"a"}), TaskBuilder("c"),
                        TaskBuilder("d").Retries(1)})
                  .ok());
  d.Turn();
  d.Exit("a", 0);
  d.Exit("c", 1);
  d.Turn();  // b and d start; b is still running when the journal ends
  d.Exit("d", 2);
  d.Turn();
  const std::vector<TaskEvent>& events = d.events();
  std::vector<bool> finished(d.submissions().size(), false);
  for (const TaskEvent& e : events) finished[e.task] = IsTerminal(e.to);

  FakeClock clock;
  Scheduler whole(&clock, FlatMachine(2), {});
  ASSERT_TRUE(whole.Recover(d.submissions(), events).ok());
  Scheduler pieces(&clock, FlatMachine(2), {});
  std::vector<Submission> submissions = d.submissions();
  ASSERT_TRUE(pieces.BeginRecover(submissions, finished).ok());
  for (size_t i = 0; i < events.size(); i += 2) {
    const size_t n = std::min<size_t>(2, events.size() - i);
    ASSERT_TRUE(pieces.ReplayRecovered(std::span(events).subspan(i, n)).ok());
  }
  ASSERT_TRUE(pieces.FinishRecover().ok());
  ASSERT_EQ(whole.task_count(), pieces.task_count());
  for (TaskIndex t = 0; t < whole.task_count(); ++t) {
    EXPECT_EQ(whole.state(t), pieces.state(t)) << whole.id(t);
    EXPECT_EQ(whole.attempts(t), pieces.attempts(t)) << whole.id(t);
    EXPECT_EQ(whole.last_exit(t), pieces.last_exit(t)) << whole.id(t);
  }
  EXPECT_EQ(whole.outbox()->events, pieces.outbox()->events);
  EXPECT_EQ(pieces.state(pieces.Find("b").value()), TaskState::kReady);  // lost, runs again
}

TEST(SchedulerRecoverStepsTest, StepsOutOfOrderAreRefused) {
  FakeClock clock;
  Scheduler s(&clock, FlatMachine(1), {});
  EXPECT_EQ(s.ReplayRecovered({}).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.FinishRecover().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(s.BeginRecover({}, {}).ok());
  EXPECT_EQ(s.BeginRecover({}, {}).code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace allot
