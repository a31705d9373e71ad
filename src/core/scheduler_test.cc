// Scheduler: order, dependencies, failures, retries, time limits, "why waiting". Every test
// runs through FakeLauncherDriver, which also checks that each drained event is an allowed
// transition from the state the previous events left, and that states match the events.
#include "core/scheduler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <string>
#include <vector>

#include "testing/fake_launcher_driver.h"
#include "testing/task_builder.h"
#include "testing/test_machines.h"

namespace allot {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Runs every task to success one at a time on a one-CPU machine; returns the start order.
std::vector<std::string> RunSerially(FakeLauncherDriver& d) {
  std::vector<std::string> order;
  for (int guard = 0; guard < 1000 && !d.scheduler().Done(); ++guard) {
    Outbox turn = d.Turn();
    for (const std::string& id : d.IdsOf(turn)) {
      order.push_back(id);
      d.Exit(id, 0);
    }
  }
  return order;
}

TEST(SchedulerTest, HigherPriorityStartsFirstAndEqualPrioritiesRunInSubmissionOrder) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(d.Submit({TaskBuilder("a"), TaskBuilder("b").Priority(5), TaskBuilder("c"),
                        TaskBuilder("d").Priority(5), TaskBuilder("e").Priority(-1),
                        TaskBuilder("f").Priority(1000000)})
                  .ok());
  EXPECT_THAT(RunSerially(d), ElementsAre("f", "b", "d", "a", "c", "e"));
}

TEST(SchedulerTest, ExtremePrioritiesOrderCorrectly) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(d.Submit({TaskBuilder("min").Priority(INT32_MIN), TaskBuilder("zero"),
                        TaskBuilder("max").Priority(INT32_MAX), TaskBuilder("neg").Priority(-1)})
                  .ok());
  EXPECT_THAT(RunSerially(d), ElementsAre("max", "zero", "neg", "min"));
}

TEST(SchedulerTest, LaterSubmittedHigherPriorityTaskOvertakesQueuedOnes) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(d.Submit({TaskBuilder("a"), TaskBuilder("b")}).ok());
  EXPECT_THAT(d.IdsOf(d.Turn()), ElementsAre("a"));
  ASSERT_TRUE(d.Submit({TaskBuilder("urgent").Priority(1)}).ok());
  d.Exit("a", 0);
  EXPECT_THAT(d.IdsOf(d.Turn()), ElementsAre("urgent"));
}

TEST(SchedulerTest, RetriedTaskKeepsItsPlaceInTheQueue) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(d.Submit({TaskBuilder("a").Retries(1), TaskBuilder("b"), TaskBuilder("c")}).ok());
  EXPECT_THAT(d.IdsOf(d.Turn()), ElementsAre("a"));
  d.Exit("a", 1);
  EXPECT_EQ(d.State("a"), TaskState::kReady);
  EXPECT_THAT(d.IdsOf(d.Turn()), ElementsAre("a"));
  EXPECT_EQ(d.Live("a")->attempt, 2u);
}

TEST(SchedulerTest, LaunchCarriesExecutionIdOfTaskAndAttempt) {
  FakeLauncherDriver d(FlatMachine(2));
  ASSERT_TRUE(d.Submit({TaskBuilder("a"), TaskBuilder("b")}).ok());
  Outbox turn = d.Turn();
  ASSERT_EQ(turn.launches.size(), 2u);
  for (const LaunchOrder& l : turn.launches) {
    EXPECT_EQ(TaskOfExecution(l.execution), l.task);
    EXPECT_EQ(AttemptOfExecution(l.execution), 1u);
  }
}

TEST(SchedulerTest, SubmitEmitsSubmissionsWithDenseIndicesAndInitialStates) {
  FakeLauncherDriver d(FlatMachine(2));
  ASSERT_TRUE(d.Submit({TaskBuilder("a"), TaskBuilder("b").DependsOn({"a"})}).ok());
  ASSERT_TRUE(d.Submit({TaskBuilder("c").DependsOn({"a"}), TaskBuilder("d")}).ok());
  ASSERT_EQ(d.submissions().size(), 4u);
  EXPECT_EQ(d.submissions()[1].spec.id, "b");
  EXPECT_EQ(d.submissions()[1].initial_state, TaskState::kWaiting);
  EXPECT_EQ(d.submissions()[2].index, 2u);
  EXPECT_EQ(d.submissions()[3].initial_state, TaskState::kReady);
  EXPECT_THAT(d.events(), IsEmpty()) << "submission is not a transition";
}

TEST(SchedulerTest, DependentStartsOnlyAfterAllDependenciesSucceeded) {
  FakeLauncherDriver d(FlatMachine(4));
  ASSERT_TRUE(
      d.Submit({TaskBuilder("a"), TaskBuilder("b"), TaskBuilder("c").DependsOn({"a", "b"})}).ok());
  EXPECT_EQ(d.State("c"), TaskState::kWaiting);
  EXPECT_THAT(d.IdsOf(d.Turn()), ElementsAre("a", "b"));
  d.Exit("a", 0);
  EXPECT_EQ(d.State("c"), TaskState::kWaiting);
  EXPECT_THAT(d.IdsOf(d.Turn()), IsEmpty());
  EXPECT_EQ(d.WhyWaiting("c"), "waiting for b (running)");
  d.Exit("b", 0);
  EXPECT_EQ(d.State("c"), TaskState::kReady);
  EXPECT_THAT(d.IdsOf(d.Turn()), ElementsAre("c"));
}

TEST(SchedulerTest, TaskSubmittedAfterItsDependencySucceededIsReadyAtOnce) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(d.Submit({TaskBuilder("a")}).ok());
  d.Turn();
  d.Exit("a", 0);
  ASSERT_TRUE(d.Submit({TaskBuilder("b").DependsOn({"a"})}).ok());
  EXPECT_EQ(d.submissions().back().initial_state, TaskState::kReady);
  EXPECT_THAT(d.IdsOf(d.Turn()), ElementsAre("b"));
}

TEST(SchedulerTest, FailureSkipsEveryDescendantWithReasonNamingTheDependency) {
  FakeLauncherDriver d(FlatMachine(4));
  ASSERT_TRUE(d.Submit({TaskBuilder("a"), TaskBuilder("b").DependsOn({"a"}),
                        TaskBuilder("c").DependsOn({"b"}), TaskBuilder("d").DependsOn({"a"}),
                        TaskBuilder("e"), TaskBuilder("f").DependsOn({"e", "c"})})
                  .ok());
  EXPECT_THAT(d.IdsOf(d.Turn()), ElementsAre("a", "e"));
  d.Exit("a", 3);
  EXPECT_EQ(d.State("a"), TaskState::kFailed);
  EXPECT_EQ(d.scheduler().last_exit(d.Index("a")), 3);
  for (const char* id : {"b", "c", "d", "f"}) EXPECT_EQ(d.State(id), TaskState::kSkipped) << id;
  EXPECT_EQ(d.EventsOf("b").back().reason, "dependency 'a' failed");
  EXPECT_EQ(d.EventsOf("d").back().reason, "dependency 'a' failed");
  EXPECT_EQ(d.EventsOf("c").back().reason, "dependency 'b' skipped");
  EXPECT_EQ(d.EventsOf("f").back().reason, "dependency 'c' skipped");
  EXPECT_EQ(d.State("e"), TaskState::kRunning);
  EXPECT_THAT(d.EventsOf("a").back().reason, HasSubstr("exit code 3"));
  d.Exit("e", 0);
  EXPECT_TRUE(d.scheduler().Done());
  EXPECT_EQ(d.scheduler().counts()[static_cast<int>(TaskState::kSkipped)], 4);
}

TEST(SchedulerTest, TaskSubmittedAfterItsDependencyFailedIsSkippedAtOnce) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(d.Submit({TaskBuilder("a")}).ok());
  d.Turn();
  d.Exit("a", 1);
  ASSERT_TRUE(
      d.Submit({TaskBuilder("b").DependsOn({"a"}), TaskBuilder("c").DependsOn({"b"})}).ok());
  EXPECT_EQ(d.State("b"), TaskState::kSkipped);
  EXPECT_EQ(d.State("c"), TaskState::kSkipped);
  EXPECT_EQ(d.EventsOf("b").back().reason, "dependency 'a' failed");
  EXPECT_TRUE(d.scheduler().Done());
}

TEST(SchedulerTest, KilledAttemptFailsWithTheSignalInReasonAndLastExit) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(d.Submit({TaskBuilder("a")}).ok());
  d.Turn();
  d.Kill("a", SIGSEGV);
  EXPECT_EQ(d.State("a"), TaskState::kFailed);
  EXPECT_EQ(d.scheduler().last_exit(d.Index("a")), -SIGSEGV);
  EXPECT_THAT(d.EventsOf("a").back().reason, HasSubstr("killed by signal"));
  ASSERT_TRUE(d.EventsOf("a").back().usage.has_value());
  EXPECT_EQ(d.EventsOf("a").back().usage->term_signal, SIGSEGV);
}

TEST(SchedulerTest, SuccessRecordsUsageAndTotals) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(d.Submit({TaskBuilder("a")}).ok());
  d.Turn();
  AttemptUsage u;
  u.exit_code = 0;
  u.wall = 3s;
  u.user_cpu = 2s;
  u.sys_cpu = 500ms;
  u.max_rss_bytes = 1 << 20;
  d.ExitExecution(d.Live("a")->execution, u);
  EXPECT_EQ(d.State("a"), TaskState::kSucceeded);
  ASSERT_TRUE(d.EventsOf("a").back().usage.has_value());
  EXPECT_EQ(*d.EventsOf("a").back().usage, u);
  EXPECT_EQ(d.scheduler().totals().cpu, 2500ms);
  EXPECT_EQ(d.scheduler().totals().task_wall, 3s);
  EXPECT_EQ(d.scheduler().totals().attempts_ended, 1u);
}

TEST(SchedulerTest, ExitOfUnknownOrStaleExecutionIsIgnored) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(d.Submit({TaskBuilder("a").Retries(1)}).ok());
  d.Turn();
  const ExecutionId first = d.Live("a")->execution;
  d.Exit("a", 1);
  d.Turn();
  AttemptUsage ok;
  ok.exit_code = 0;
  EXPECT_TRUE(d.ExitExecution(first, ok).events.empty()) << "attempt 1 already ended";
  EXPECT_TRUE(d.ExitExecution(MakeExecutionId(7, 1), ok).events.empty()) << "no task 7";
  EXPECT_EQ(d.State("a"), TaskState::kRunning);
}

TEST(SchedulerTest, RetriesWaitOutExponentialBackoffThenBecomeReady) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(d.Submit({TaskBuilder("a").Retries(3, 2s, 3.0, 10s)}).ok());
  const std::vector<Duration> delays = {2s, 6s, 10s};  // 2, 6, 18 capped at 10
  for (uint32_t attempt = 1; attempt <= 3; ++attempt) {
    SCOPED_TRACE("attempt " + std::to_string(attempt));
    ASSERT_THAT(d.IdsOf(d.Turn()), ElementsAre("a"));
    EXPECT_EQ(d.Live("a")->attempt, attempt);
    EXPECT_EQ(d.scheduler().attempts(d.Index("a")), attempt);
    d.Advance(1s);
    d.Exit("a", 1);
    EXPECT_EQ(d.State("a"), TaskState::kWaiting);
    EXPECT_THAT(d.EventsOf("a").back().reason,
                HasSubstr("retry " + std::to_string(attempt) + " of 3"));
    EXPECT_EQ(d.WhyWaiting("a"), "retry backoff");
    ASSERT_TRUE(d.scheduler().NextDeadline().has_value());
    EXPECT_EQ(*d.scheduler().NextDeadline(), d.clock().Now() + delays[attempt - 1]);
    d.Advance(delays[attempt - 1] - 1us);
    EXPECT_EQ(d.State("a"), TaskState::kWaiting) << "ready before the backoff is over";
    EXPECT_THAT(d.IdsOf(d.Turn()), IsEmpty());
    d.Advance(1us);
    EXPECT_EQ(d.State("a"), TaskState::kReady);
    EXPECT_EQ(d.EventsOf("a").back().reason, "retry backoff over");
  }
  ASSERT_THAT(d.IdsOf(d.Turn()), ElementsAre("a"));
  EXPECT_EQ(d.Live("a")->attempt, 4u);
  d.Exit("a", 1);
  EXPECT_EQ(d.State("a"), TaskState::kFailed);
  EXPECT_THAT(d.EventsOf("a").back().reason, HasSubstr("after 4 attempts"));
  EXPECT_TRUE(d.scheduler().Done());
}

TEST(SchedulerTest, BackoffReasonSaysTheDelay) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(d.Submit({TaskBuilder("a").Retries(2, 4s)}).ok());
  d.Turn();
  d.Exit("a", 2);
  EXPECT_EQ(d.EventsOf("a").back().reason, "exit code 2; retry 1 of 2 in 4s");
}

TEST(SchedulerTest, RetryWithoutBackoffGoesStraightToReady) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(d.Submit({TaskBuilder("a").Retries(1)}).ok());
  d.Turn();
  d.Exit("a", 1);
  ASSERT_EQ(d.EventsOf("a").back().from, TaskState::kRunning);
  EXPECT_EQ(d.EventsOf("a").back().to, TaskState::kReady);
  d.Turn();
  d.Exit("a", 0);
  EXPECT_EQ(d.State("a"), TaskState::kSucceeded);
  EXPECT_EQ(d.scheduler().attempts(d.Index("a")), 2u);
}

TEST(SchedulerTest, LaunchFailureCountsAsAFailedAttemptAndIsRetried) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(d.Submit({TaskBuilder("a").Retries(1)}).ok());
  d.Turn();
  d.LaunchFailed("a", Status::IoError("no such file: simulate"));
  EXPECT_EQ(d.State("a"), TaskState::kReady);
  EXPECT_THAT(d.EventsOf("a").back().reason, HasSubstr("could not start: no such file"));
  EXPECT_EQ(d.scheduler().last_exit(d.Index("a")), 127);
  d.Turn();
  d.LaunchFailed("a", Status::IoError("still missing"));
  EXPECT_EQ(d.State("a"), TaskState::kFailed);
  EXPECT_EQ(d.scheduler().pool().free().cores, 1) << "a failed launch gives its CPU back";
}

TEST(SchedulerTest, TimeLimitSendsSigtermThenSigkillAfterGraceAndRecordsTimedOut) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(d.Submit({TaskBuilder("a").TimeLimit(10s).Grace(5s)}).ok());
  d.Turn();
  EXPECT_THAT(d.Advance(10s - 1us).signals, IsEmpty());
  Outbox term = d.Advance(1us);
  ASSERT_EQ(term.signals.size(), 1u);
  EXPECT_EQ(term.signals[0].signal, SIGTERM);
  EXPECT_EQ(term.signals[0].execution, d.Live("a")->execution);
  EXPECT_THAT(d.Advance(5s - 1us).signals, IsEmpty());
  EXPECT_THAT(d.Advance(1us).signals, ElementsAre(::testing::Field(&SignalOrder::signal, SIGKILL)));
  EXPECT_THAT(d.SignalsTo("a"), ElementsAre(SIGTERM, SIGKILL));
  d.Kill("a", SIGKILL);
  EXPECT_EQ(d.State("a"), TaskState::kFailed);
  const TaskEvent last = d.EventsOf("a").back();
  ASSERT_TRUE(last.usage.has_value());
  EXPECT_TRUE(last.usage->timed_out);
  EXPECT_EQ(last.reason, "exceeded its time limit");
}

TEST(SchedulerTest, AttemptThatExitsCleanlyAfterTimeLimitSigtermStillTimedOut) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(d.Submit({TaskBuilder("a").TimeLimit(10s).Grace(5s)}).ok());
  d.Turn();
  d.Advance(10s);
  d.Exit("a", 0);
  EXPECT_EQ(d.State("a"), TaskState::kFailed);
  EXPECT_TRUE(d.EventsOf("a").back().usage->timed_out);
  EXPECT_THAT(d.Advance(1h).signals, IsEmpty()) << "no SIGKILL to an attempt that ended";
}

TEST(SchedulerTest, TimedOutAttemptIsRetriedAndOldTimersDoNotSignalTheNewAttempt) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(d.Submit({TaskBuilder("a").TimeLimit(10s).Grace(5s).Retries(1)}).ok());
  d.Turn();
  d.Advance(10s);    // SIGTERM to attempt 1
  d.Exit("a", 143);  // it obeys at once
  ASSERT_EQ(d.State("a"), TaskState::kReady);
  d.Turn();
  const ExecutionId second = d.Live("a")->execution;
  EXPECT_EQ(AttemptOfExecution(second), 2u);
  EXPECT_THAT(d.Advance(5s).signals, IsEmpty()) << "attempt 1's SIGKILL timer must not fire";
  Outbox term = d.Advance(5s);  // attempt 2 reaches its own limit at 10s after its start
  ASSERT_EQ(term.signals.size(), 1u);
  EXPECT_EQ(term.signals[0].execution, second);
  EXPECT_EQ(term.signals[0].signal, SIGTERM);
}

TEST(SchedulerTest, AttemptEndingBeforeItsLimitIsNeverSignalled) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(d.Submit({TaskBuilder("a").TimeLimit(10s), TaskBuilder("b")}).ok());
  d.Turn();
  d.Advance(3s);
  d.Exit("a", 0);
  d.Turn();
  EXPECT_THAT(d.Advance(1h).signals, IsEmpty());
  EXPECT_THAT(d.SignalsTo("a"), IsEmpty());
}

TEST(SchedulerTest, WhyWaitingNamesUnfinishedDependenciesAndCountsTheRest) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(
      d.Submit({TaskBuilder("d1"), TaskBuilder("d2"), TaskBuilder("d3"), TaskBuilder("d4"),
                TaskBuilder("d5"), TaskBuilder("agg").DependsOn({"d1", "d2", "d3", "d4", "d5"})})
          .ok());
  d.Turn();
  EXPECT_EQ(d.WhyWaiting("agg"), "waiting for d1 (running), d2 (ready), d3 (ready) and 2 more");
  d.Exit("d1", 0);
  EXPECT_EQ(d.WhyWaiting("agg"), "waiting for d2 (ready), d3 (ready), d4 (ready) and 1 more");
}

TEST(SchedulerTest, WhyWaitingForReadyTasksNamesTheBlockedHead) {
  FakeLauncherDriver d(FlatMachine(4));
  ASSERT_TRUE(d.Submit({TaskBuilder("small").Cores(2)}).ok());
  d.Turn();
  ASSERT_TRUE(
      d.Submit({TaskBuilder("big").Cores(4).Priority(1), TaskBuilder("next").Cores(3)}).ok());
  EXPECT_EQ(d.WhyWaiting("big"), "ready") << "not scheduled yet";
  d.Turn();
  EXPECT_EQ(d.WhyWaiting("big"), "needs 4 cores, 2 free");
  EXPECT_EQ(d.WhyWaiting("next"), "queued behind 'big'");
  EXPECT_EQ(d.WhyWaiting("small"), "") << "running tasks are not waiting";
}

TEST(SchedulerTest, EmptySubmitIsAcceptedAndEmptyCampaignIsDone) {
  FakeLauncherDriver d(FlatMachine(1));
  EXPECT_TRUE(d.scheduler().Done());
  EXPECT_TRUE(d.Submit({}).ok());
  EXPECT_TRUE(d.scheduler().Done());
  EXPECT_THAT(d.IdsOf(d.Turn()), IsEmpty());
}

TEST(SchedulerTest, CountsFollowEveryTransition) {
  FakeLauncherDriver d(FlatMachine(2));
  ASSERT_TRUE(d.Submit({TaskBuilder("a"), TaskBuilder("b"), TaskBuilder("c").DependsOn({"a"}),
                        TaskBuilder("x")})
                  .ok());
  auto count = [&](TaskState s) { return d.scheduler().counts()[static_cast<int>(s)]; };
  EXPECT_EQ(count(TaskState::kReady), 3);
  EXPECT_EQ(count(TaskState::kWaiting), 1);
  d.Turn();
  EXPECT_EQ(count(TaskState::kRunning), 2);
  d.Exit("a", 0);
  d.Exit("b", 1);
  EXPECT_EQ(count(TaskState::kSucceeded), 1);
  EXPECT_EQ(count(TaskState::kFailed), 1);
  EXPECT_EQ(count(TaskState::kReady), 2);
  EXPECT_EQ(count(TaskState::kRunning), 0);
  int64_t sum = 0;
  for (int64_t c : d.scheduler().counts()) sum += c;
  EXPECT_EQ(sum, 4);
}

}  // namespace
}  // namespace allot

namespace allot {
namespace {

TEST(SchedulerTest, FinishedTasksKeepOnlyWhatSchedulingNeeds) {
  FakeLauncherDriver d(FlatMachine(1));
  TaskSpec a = TaskBuilder("a");
  a.command = std::string(200, 'x');
  a.env = {{"K", "V"}};
  a.tags = {{"project", "epic"}};
  TaskSpec b = TaskBuilder("b");
  b.depends_on = {"a"};
  ASSERT_TRUE(d.Submit({a, b}).ok());
  d.Turn();
  const TaskIndex ia = *d.scheduler().Find("a");
  EXPECT_EQ(d.scheduler().spec(ia).command.size(), 200u);  // running: all of it
  d.Exit("a", 0);
  // Finished: the whole spec is released (the journal has it); id and brief stay.
  EXPECT_FALSE(d.scheduler().has_spec(ia));
  EXPECT_EQ(d.scheduler().id(ia), "a");
  EXPECT_EQ(d.scheduler().brief(ia).cores, 1);
  // The dependent still starts: dependencies live in the graph, not in the finished spec.
  Outbox turn = d.Turn();
  ASSERT_EQ(turn.launches.size(), 1u);
  EXPECT_EQ(d.scheduler().id(turn.launches[0].task), "b");
  EXPECT_EQ(d.scheduler().spec(turn.launches[0].task).depends_on.size(), 1u);
}

}  // namespace
}  // namespace allot
