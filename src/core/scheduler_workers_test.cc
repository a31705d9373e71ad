// Scheduler with many workers (cluster mode): placement per worker, workers lost and their
// attempts rerun, recovery that waits for workers to report what still runs, tasks no worker
// can fit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <set>
#include <string>
#include <vector>

#include "core/scheduler.h"
#include "testing/fake_clock.h"
#include "testing/task_builder.h"
#include "testing/test_machines.h"

namespace allot {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Drives a cluster-mode Scheduler and keeps its journal (submissions and events).
class Cluster {
 public:
  explicit Cluster(SchedulerOptions options = {}) : options_(options) { Reset(); }

  void Reset() {
    scheduler_ = std::make_unique<Scheduler>(&clock_, options_);
  }
  Scheduler& s() { return *scheduler_; }
  FakeClock& clock() { return clock_; }

  Outbox Drain() {
    Outbox out = std::move(*scheduler_->outbox());
    scheduler_->outbox()->Clear();
    for (const Submission& sub : out.submissions) submissions_.push_back(sub);
    for (const TaskEvent& e : out.events) events_.push_back(e);
    for (const LaunchOrder& l : out.launches) launches_.push_back(l);
    return out;
  }
  Outbox Turn() {
    scheduler_->Schedule();
    return Drain();
  }
  TaskIndex Index(const std::string& id) { return *scheduler_->Find(id); }
  TaskState State(const std::string& id) { return scheduler_->state(Index(id)); }
  ExecutionId Execution(const std::string& id) {
    TaskIndex t = Index(id);
    return MakeExecutionId(t, scheduler_->attempts(t));
  }
  void Exit(const std::string& id, int code) {
    AttemptUsage u;
    u.exit_code = code;
    scheduler_->OnAttemptExited(Execution(id), u);
    Drain();
  }
  // The allocation the last launch of `id` got.
  const LaunchOrder& LastLaunch(const std::string& id) {
    TaskIndex t = Index(id);
    for (auto it = launches_.rbegin(); it != launches_.rend(); ++it) {
      if (it->task == t) return *it;
    }
    ADD_FAILURE() << "no launch of " << id;
    static LaunchOrder none;
    return none;
  }
  // A fresh scheduler recovered from the journal so far, as after kill -9 of the server.
  Status Restart() {
    scheduler_ = std::make_unique<Scheduler>(&clock_, options_);
    Status s = scheduler_->Recover(submissions_, events_, RecoverMode::kAwaitWorkers);
    Drain();
    return s;
  }
  const std::vector<TaskEvent>& events() const { return events_; }
  int CountTo(const std::string& id, TaskState to) {
    TaskIndex t = Index(id);
    int n = 0;
    for (const TaskEvent& e : events_) n += e.task == t && e.to == to;
    return n;
  }

 private:
  SchedulerOptions options_;
  FakeClock clock_;
  std::unique_ptr<Scheduler> scheduler_;
  std::vector<Submission> submissions_;
  std::vector<TaskEvent> events_;
  std::vector<LaunchOrder> launches_;
};

std::vector<TaskSpec> Tasks(int n, const std::string& prefix = "t") {
  std::vector<TaskSpec> out;
  for (int i = 0; i < n; ++i) out.push_back(TaskBuilder(prefix + std::to_string(i)));
  return out;
}

TEST(SchedulerWorkersTest, TasksWaitForAWorkerThenSpreadOverEveryWorkersCores) {
  Cluster c;
  ASSERT_TRUE(c.s().Submit(Tasks(5)).ok());
  EXPECT_THAT(c.Turn().launches, IsEmpty());
  EXPECT_EQ(c.s().WhyWaiting(c.Index("t0")), "no worker is connected");
  ASSERT_TRUE(c.s().AddWorker(1, "a", FlatMachine(2)).ok());
  ASSERT_TRUE(c.s().AddWorker(2, "b", FlatMachine(2)).ok());
  Outbox turn = c.Turn();
  ASSERT_EQ(turn.launches.size(), 4u);
  std::map<WorkerId, std::set<int>> cpus;
  for (const LaunchOrder& l : turn.launches) {
    for (int cpu : l.allocation.cpus) {
      EXPECT_TRUE(cpus[l.worker].insert(cpu).second) << "CPU " << cpu << " given twice";
    }
  }
  EXPECT_EQ(cpus[1].size(), 2u);
  EXPECT_EQ(cpus[2].size(), 2u);
  // The -> running events name the worker.
  std::set<std::string> names;
  for (const TaskEvent& e : turn.events) names.insert(e.worker);
  EXPECT_EQ(names, (std::set<std::string>{"a", "b"}));
  EXPECT_EQ(c.s().workers().at(1).running, 2);
  EXPECT_EQ(c.State("t4"), TaskState::kReady);
  c.Exit("t0", 0);
  EXPECT_EQ(c.Turn().launches.size(), 1u);
  EXPECT_EQ(c.State("t4"), TaskState::kRunning);
}

TEST(SchedulerWorkersTest, ATaskNoWorkerCanFitWaitsWithTheReasonAndDoesNotBlockOthers) {
  Cluster c;
  ASSERT_TRUE(c.s().Submit({TaskBuilder("big").Cores(8).Priority(10), TaskBuilder("small")}).ok());
  ASSERT_TRUE(c.s().AddWorker(1, "a", FlatMachine(2)).ok());
  Outbox turn = c.Turn();
  ASSERT_EQ(turn.launches.size(), 1u);
  EXPECT_EQ(c.State("small"), TaskState::kRunning);
  EXPECT_EQ(c.State("big"), TaskState::kReady);
  EXPECT_THAT(c.s().WhyWaiting(c.Index("big")), ::testing::HasSubstr("no connected worker"));
  ASSERT_TRUE(c.s().AddWorker(2, "wide", FlatMachine(8)).ok());
  turn = c.Turn();
  ASSERT_EQ(turn.launches.size(), 1u);
  EXPECT_EQ(turn.launches[0].worker, 2u);
  EXPECT_EQ(turn.launches[0].allocation.cpus.size(), 8u);
}

TEST(SchedulerWorkersTest, AttemptsOfALostWorkerRunAgainElsewhereWithTheNextAttempt) {
  Cluster c;
  ASSERT_TRUE(c.s().Submit(Tasks(2)).ok());
  ASSERT_TRUE(c.s().AddWorker(1, "a", FlatMachine(1)).ok());
  ASSERT_TRUE(c.s().AddWorker(2, "b", FlatMachine(1)).ok());
  c.Turn();
  const WorkerId w0 = c.LastLaunch("t0").worker;
  const std::string on_lost = w0 == 1 ? "t0" : "t1";
  const std::string on_live = w0 == 1 ? "t1" : "t0";
  c.s().RemoveWorker(1, "worker a stopped answering");
  c.Drain();
  EXPECT_EQ(c.State(on_lost), TaskState::kReady);
  EXPECT_EQ(c.CountTo(on_lost, TaskState::kLost), 1);
  EXPECT_EQ(c.State(on_live), TaskState::kRunning);
  c.Exit(on_live, 0);
  c.Turn();
  EXPECT_EQ(c.State(on_lost), TaskState::kRunning);
  EXPECT_EQ(c.LastLaunch(on_lost).worker, 2u);
  EXPECT_EQ(c.LastLaunch(on_lost).attempt, 2u);
  // The lost attempt's late exit report changes nothing.
  AttemptUsage u;
  u.exit_code = 0;
  c.s().OnAttemptExited(MakeExecutionId(c.Index(on_lost), 1), u);
  EXPECT_THAT(c.Drain().events, IsEmpty());
  c.Exit(on_lost, 0);
  EXPECT_EQ(c.State(on_lost), TaskState::kSucceeded);
  EXPECT_EQ(c.CountTo(on_lost, TaskState::kSucceeded), 1);
}

TEST(SchedulerWorkersTest, AnAttemptWhoseLaunchNeverArrivedRunsAgain) {
  Cluster c;
  ASSERT_TRUE(c.s().Submit(Tasks(1)).ok());
  ASSERT_TRUE(c.s().AddWorker(1, "a", FlatMachine(1)).ok());
  c.Turn();
  const ExecutionId first = c.Execution("t0");
  c.s().OnAttemptLost(first, "worker a never started it");
  c.Drain();
  EXPECT_EQ(c.CountTo("t0", TaskState::kLost), 1);
  EXPECT_EQ(c.Turn().launches.at(0).attempt, 2u);
  c.s().OnAttemptLost(first, "again");  // stale: ignored
  EXPECT_THAT(c.Drain().events, IsEmpty());
}

TEST(SchedulerWorkersTest, ATaskLostMoreOftenThanTheCrashLimitFails) {
  SchedulerOptions options;
  options.crash_limit = 1;
  Cluster c(options);
  ASSERT_TRUE(c.s().Submit(Tasks(1)).ok());
  for (WorkerId w = 1; w <= 2; ++w) {
    ASSERT_TRUE(c.s().AddWorker(w, "w", FlatMachine(1)).ok());
    c.Turn();
    c.s().RemoveWorker(w, "node died");
    c.Drain();
  }
  EXPECT_EQ(c.State("t0"), TaskState::kFailed);
  EXPECT_THAT(c.events().back().reason, ::testing::HasSubstr("crash limit 1"));
}

TEST(SchedulerWorkersTest, ADrainedWorkerGetsNothingNew) {
  Cluster c;
  ASSERT_TRUE(c.s().Submit(Tasks(3)).ok());
  ASSERT_TRUE(c.s().AddWorker(1, "a", FlatMachine(1)).ok());
  c.Turn();
  c.s().DrainWorker(1);
  c.Exit("t0", 0);
  EXPECT_THAT(c.Turn().launches, IsEmpty());
  ASSERT_TRUE(c.s().AddWorker(2, "b", FlatMachine(1)).ok());
  EXPECT_EQ(c.Turn().launches.at(0).worker, 2u);
}

TEST(SchedulerWorkersTest, AfterARestartReportedAttemptsKeepRunningAndTheRestRunAgain) {
  Cluster c;
  ASSERT_TRUE(c.s().Submit(Tasks(3)).ok());
  ASSERT_TRUE(c.s().AddWorker(1, "a", FlatMachine(2)).ok());
  ASSERT_TRUE(c.s().AddWorker(2, "b", FlatMachine(1)).ok());
  c.Turn();
  c.Exit("t2", 0);  // finished before the crash: never runs again
  std::map<std::string, LaunchOrder> before;
  for (const char* id : {"t0", "t1"}) before[id] = c.LastLaunch(id);

  ASSERT_TRUE(c.Restart().ok());
  EXPECT_EQ(c.State("t0"), TaskState::kRunning);
  EXPECT_EQ(c.State("t1"), TaskState::kRunning);
  EXPECT_TRUE(c.s().HasUnattached());
  // Worker "a" comes back and reports t0 running, plus an attempt nobody knows.
  const LaunchOrder& l0 = before["t0"];
  std::vector<ReportedAttempt> running = {
      {l0.execution, l0.allocation.cpus, {}, 0},
      {MakeExecutionId(c.Index("t2"), 1), {1}, {}, 0}};
  ASSERT_TRUE(c.s().AddWorker(7, "a", FlatMachine(2), running).ok());
  Outbox turn = c.Drain();
  ASSERT_EQ(turn.signals.size(), 1u);
  EXPECT_EQ(turn.signals[0].signal, SIGKILL);
  EXPECT_EQ(turn.signals[0].worker, 7u);
  EXPECT_EQ(c.s().WorkerOf(c.Index("t0")), 7u);
  // t1's worker never comes back.
  c.s().ExpireUnattached("its worker did not come back after the server restarted");
  c.Drain();
  EXPECT_EQ(c.CountTo("t1", TaskState::kLost), 1);
  turn = c.Turn();
  ASSERT_EQ(turn.launches.size(), 1u) << "t1 runs again on the free core of worker 7";
  EXPECT_EQ(turn.launches[0].task, c.Index("t1"));
  EXPECT_EQ(turn.launches[0].attempt, 2u);
  EXPECT_NE(turn.launches[0].allocation.cpus, l0.allocation.cpus) << "t0 holds its CPU";
  c.Exit("t0", 0);
  EXPECT_EQ(c.State("t0"), TaskState::kSucceeded);
  EXPECT_EQ(c.CountTo("t0", TaskState::kRunning), 1) << "t0 was never restarted";
  EXPECT_EQ(c.CountTo("t2", TaskState::kSucceeded), 1);
}

TEST(SchedulerWorkersTest, AnAttemptThatEndedWhileTheServerWasDownIsEndedWithItsRealExit) {
  Cluster c;
  ASSERT_TRUE(c.s().Submit({TaskBuilder("a"), TaskBuilder("b").DependsOn({"a"})}).ok());
  ASSERT_TRUE(c.s().AddWorker(1, "w", FlatMachine(1)).ok());
  c.Turn();
  const ExecutionId a1 = c.Execution("a");
  ASSERT_TRUE(c.Restart().ok());
  // The worker re-registers with nothing running and reports the exit it kept.
  ASSERT_TRUE(c.s().AddWorker(1, "w", FlatMachine(1)).ok());
  AttemptUsage u;
  u.exit_code = 0;
  c.s().OnAttemptExited(a1, u);
  c.Drain();
  EXPECT_EQ(c.State("a"), TaskState::kSucceeded);
  EXPECT_FALSE(c.s().HasUnattached());
  c.Turn();
  EXPECT_EQ(c.State("b"), TaskState::kRunning);
}

// The pause is journaled (running -> paused -> running), so a restarted server counts the same
// running time against the limit as the one that wrote the journal.
TEST(SchedulerWorkersTest, PausedTimeStaysOutOfTheTimeLimitAcrossAServerRestart) {
  Cluster c;
  ASSERT_TRUE(c.s().Submit({TaskBuilder("t").TimeLimit(4s).Grace(1s)}).ok());
  ASSERT_TRUE(c.s().AddWorker(1, "w", FlatMachine(1)).ok());
  c.Turn();
  const LaunchOrder launch = c.LastLaunch("t");
  const std::vector<ReportedAttempt> still_running = {
      {launch.execution, launch.allocation.cpus, {}, 0}};
  c.clock().Advance(1s);
  c.s().Control(c.Index("t"), ControlAction::kPause);
  c.Drain();
  c.clock().Advance(5s);
  ASSERT_TRUE(c.Restart().ok());
  EXPECT_EQ(c.State("t"), TaskState::kPaused);
  ASSERT_TRUE(c.s().AddWorker(1, "w", FlatMachine(1), still_running).ok());
  c.Drain();
  c.clock().Advance(10s);
  c.s().OnTimersDue();
  EXPECT_THAT(c.Drain().signals, IsEmpty()) << "still paused: its limit is not running";
  c.s().Control(c.Index("t"), ControlAction::kResume);
  c.Drain();
  c.clock().Advance(1s);
  ASSERT_TRUE(c.Restart().ok());  // restarted again, now while it runs
  ASSERT_TRUE(c.s().AddWorker(1, "w", FlatMachine(1), still_running).ok());
  c.Drain();
  c.clock().Advance(2s - 1us);  // 1 s + 1 s + this: 4 s - 1 us of running time
  c.s().OnTimersDue();
  EXPECT_THAT(c.Drain().signals, IsEmpty());
  c.clock().Advance(1us);
  c.s().OnTimersDue();
  Outbox term = c.Drain();
  ASSERT_EQ(term.signals.size(), 1u);
  EXPECT_EQ(term.signals[0].signal, SIGTERM);
}

MetricPoint Loss(double value) {
  MetricPoint m;
  m.name = "loss";
  m.value = value;
  m.time_us = 1;
  return m;
}

TEST(SchedulerWorkersTest, AnAttemptsNumberedMetricsSentAgainAreTakenOnce) {
  Cluster c;
  ASSERT_TRUE(c.s().Submit(Tasks(1)).ok());
  ASSERT_TRUE(c.s().AddWorker(1, "a", FlatMachine(1)).ok());
  c.Turn();
  const ExecutionId e = c.Execution("t0");
  c.s().OnMetric(e, Loss(1), 1);
  c.s().OnMetric(e, Loss(2), 2);
  // The worker registered anew and sends all of them again, then the next one.
  for (int i = 1; i <= 3; ++i) c.s().OnMetric(e, Loss(i), i);
  std::vector<double> taken;
  for (const MetricPoint& m : c.Drain().metrics) taken.push_back(m.value);
  EXPECT_THAT(taken, ElementsAre(1, 2, 3));
}

TEST(SchedulerWorkersTest, AfterARestartTheJournalsMetricsOfARunningAttemptAreNotTakenAgain) {
  Cluster c;
  ASSERT_TRUE(c.s().Submit(Tasks(1)).ok());
  ASSERT_TRUE(c.s().AddWorker(1, "a", FlatMachine(1)).ok());
  c.Turn();
  const LaunchOrder l = c.LastLaunch("t0");
  c.s().OnMetric(l.execution, Loss(1), 1);
  c.s().OnMetric(l.execution, Loss(2), 2);
  std::vector<MetricPoint> journaled = c.Drain().metrics;
  c.s().OnMetric(l.execution, Loss(3), 3);  // taken, but the server died before its commit
  ASSERT_TRUE(c.Restart().ok());
  c.s().RestoreMetrics(journaled, nullptr);
  std::vector<ReportedAttempt> running = {{l.execution, l.allocation.cpus, {}, 0}};
  ASSERT_TRUE(c.s().AddWorker(1, "a", FlatMachine(1), running).ok());
  c.Drain();
  for (int i = 1; i <= 4; ++i) c.s().OnMetric(l.execution, Loss(i), i);  // all again, and one
  std::vector<double> taken;
  for (const MetricPoint& m : c.Drain().metrics) taken.push_back(m.value);
  EXPECT_THAT(taken, ElementsAre(3, 4)) << "the one lost with the server, then the new one";
}

TEST(SchedulerWorkersTest, WaitingWorkListsTheReadyTasksWithTheirNeedsInQueueOrder) {
  Cluster c;
  TaskSpec gpu = TaskBuilder("gpu").Cores(2, 8).Gpus(1).Memory(int64_t{4} << 30).Estimate(10min);
  gpu.tags["queue"] = "gpu";
  ASSERT_TRUE(c.s()
                  .Submit({TaskBuilder("long").TimeLimit(2h), TaskBuilder("first").Priority(5),
                           gpu, TaskBuilder("after").DependsOn({"first"})})
                  .ok());
  c.Turn();  // no worker: everything ready waits
  std::vector<WaitingTask> w = c.s().WaitingWork(10);
  ASSERT_EQ(w.size(), 3u) << "a task waiting for its dependency is not ready";
  EXPECT_EQ(w[0].cores, 1);  // "first": the highest priority leads
  EXPECT_EQ(w[0].expected, Duration::zero());
  EXPECT_GE(w[1].expected, Duration(2h));  // "long": its time limit (and grace)
  EXPECT_EQ(w[2].cores, 2);
  EXPECT_EQ(w[2].gpus, 1);
  EXPECT_EQ(w[2].memory_bytes, int64_t{4} << 30);
  EXPECT_EQ(w[2].expected, Duration(10min));
  EXPECT_EQ(w[2].queue, "gpu");
  EXPECT_EQ(c.s().WaitingWork(1).size(), 1u);
}

}  // namespace
}  // namespace allot
