// The event loop of `allot run`, driven with a fake launcher whose attempts exit at once and
// an in-memory journal: ordering (durable before launched), group commit, journal failure.
#include "server/campaign_runner.h"

#include <gtest/gtest.h>

#include <csignal>
#include <set>

#include "journal/memory_journal.h"
#include "server/campaign_setup.h"
#include "testing/fake_process_launcher.h"
#include "testing/faulty_journal.h"

namespace allot {
namespace {

Machine TwoCpus() {
  Machine m;
  m.cpus = {{0, 0, 0, 0}, {1, 0, 0, 1}};
  m.memory_bytes = int64_t{1} << 30;
  return m;
}

TaskSpec Task(std::string id, std::vector<std::string> deps = {}) {
  TaskSpec s;
  s.id = std::move(id);
  s.command = "true";
  s.workdir = "/tmp";
  s.depends_on = std::move(deps);
  return s;
}

// Checks, at every launch, that the journal already holds the attempt's running transition.
class CheckingLauncher final : public ProcessLauncher {
 public:
  CheckingLauncher(JournalStore* journal, int exit_code) : journal_(journal) {
    fake_.set_auto_exit(exit_code);
  }
  Status Launch(const LaunchRequest& r) override {
    auto contents = journal_->Load();
    EXPECT_TRUE(contents.ok());
    bool durable = false;
    for (const TaskEvent& e : contents->events) {
      durable = durable || (e.to == TaskState::kRunning &&
                            MakeExecutionId(e.task, e.attempt) == r.run_id);
    }
    EXPECT_TRUE(durable) << "launched run " << r.run_id << " before its transition was committed";
    return fake_.Launch(r);
  }
  Status Signal(RunId id, int sig) override { return fake_.Signal(id, sig); }
  int ReadyFd() const override { return fake_.ReadyFd(); }
  void CollectExits(std::vector<ProcessExit>* out) override { fake_.CollectExits(out); }
  size_t running() const override { return fake_.running(); }
  FakeProcessLauncher& fake() { return fake_; }

 private:
  JournalStore* journal_;
  FakeProcessLauncher fake_;
};

struct Harness {
  explicit Harness(JournalStore* journal, ProcessLauncher* launcher)
      : scheduler(SystemClock::Default(), TwoCpus(), {}),
        worker(launcher, ::testing::TempDir(), AttemptEnvironment({}, false)),
        progress(stderr, ProgressMode::kNone, SystemClock::Default()->Now()),
        runner(&scheduler, journal, launcher, &worker, SystemClock::Default(), &progress) {}
  Scheduler scheduler;
  LocalWorker worker;
  ProgressReporter progress;
  CampaignRunner runner;
};

TEST(CampaignRunnerTest, EveryAttemptIsDurableBeforeItIsLaunched) {
  MemoryJournal journal;
  CheckingLauncher launcher(&journal, 0);
  Harness h(&journal, &launcher);
  std::vector<TaskSpec> tasks;
  for (int i = 0; i < 20; ++i) tasks.push_back(Task("t" + std::to_string(i)));
  tasks.push_back(Task("last", {"t0", "t19"}));
  ASSERT_TRUE(StartCampaign(&h.scheduler, &journal, tasks, "tasks.json").ok());
  auto outcome = h.runner.Run();
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(launcher.fake().launches().size(), 21u);
  EXPECT_EQ(h.scheduler.counts()[static_cast<int>(TaskState::kSucceeded)], 21);
  auto contents = journal.Load();
  ASSERT_TRUE(contents.ok());
  EXPECT_EQ(contents->submissions.size(), 21u);
  // Each task: ready -> running -> succeeded, plus waiting -> ready for the dependent.
  EXPECT_EQ(contents->events.size(), 21u * 2 + 1);
}

TEST(CampaignRunnerTest, FailuresAreListedWithTheirSkippedDependents) {
  MemoryJournal journal;
  FakeProcessLauncher launcher;
  launcher.set_auto_exit(3);
  Harness h(&journal, &launcher);
  ASSERT_TRUE(StartCampaign(&h.scheduler, &journal, {Task("a"), Task("b", {"a"})}, "f").ok());
  auto outcome = h.runner.Run();
  ASSERT_TRUE(outcome.ok());
  ASSERT_EQ(outcome->unsuccessful.size(), 2u);
  EXPECT_EQ(outcome->unsuccessful[0].id, "a");
  EXPECT_EQ(outcome->unsuccessful[0].reason, "exit code 3");
  EXPECT_EQ(outcome->unsuccessful[1].id, "b");
  EXPECT_EQ(outcome->unsuccessful[1].state, "skipped");
  EXPECT_EQ(outcome->unsuccessful[1].reason, "dependency 'a' failed");
}

TEST(CampaignRunnerTest, AFailedCommitStopsLaunchingAndKillsWhatRuns) {
  MemoryJournal inner;
  FaultyJournal journal(&inner);
  FakeProcessLauncher launcher;  // attempts never exit on their own
  Harness h(&journal, &launcher);
  std::vector<TaskSpec> tasks;
  for (int i = 0; i < 6; ++i) tasks.push_back(Task("t" + std::to_string(i)));
  ASSERT_TRUE(StartCampaign(&h.scheduler, &journal, tasks, "f").ok());
  // The first turn's commit (two tasks starting) fails: nothing may be launched.
  journal.FailNextCommit(Status::IoError("disk full"), -1);
  auto outcome = h.runner.Run();
  ASSERT_TRUE(outcome.ok());
  EXPECT_FALSE(outcome->journal_error.ok());
  EXPECT_TRUE(launcher.launches().empty());
  // Only the submissions survive.
  auto contents = inner.Load();
  ASSERT_TRUE(contents.ok());
  EXPECT_EQ(contents->submissions.size(), 6u);
  EXPECT_TRUE(contents->events.empty());
}

// Ends an attempt when it is signaled, as a process dies of SIGTERM.
class DyingLauncher final : public ProcessLauncher {
 public:
  Status Launch(const LaunchRequest& r) override { return fake_.Launch(r); }
  Status Signal(RunId id, int sig) override {
    fake_.Signal(id, sig);
    if (sig == SIGTERM || sig == SIGKILL) fake_.Kill(id, sig);
    return Status::Ok();
  }
  int ReadyFd() const override { return fake_.ReadyFd(); }
  void CollectExits(std::vector<ProcessExit>* out) override { fake_.CollectExits(out); }
  size_t running() const override { return fake_.running(); }
  FakeProcessLauncher& fake() { return fake_; }

 private:
  FakeProcessLauncher fake_;
};

TEST(CampaignRunnerTest, WhenTheAllocationEndsTheRunStopsAndItsAttemptsArePreempted) {
  MemoryJournal journal;
  DyingLauncher launcher;  // attempts run until signaled
  Harness h(&journal, &launcher);
  std::vector<TaskSpec> tasks;
  for (int i = 0; i < 4; ++i) tasks.push_back(Task("t" + std::to_string(i)));
  ASSERT_TRUE(StartCampaign(&h.scheduler, &journal, tasks, "f").ok());
  const Clock* clock = SystemClock::Default();
  h.runner.set_stop_at(clock->Now() + std::chrono::milliseconds(50),
                       clock->WallMicros() + 60'000'000);
  auto outcome = h.runner.Run();
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_TRUE(outcome->allocation_ended);
  EXPECT_EQ(outcome->stop_signal, 0);
  EXPECT_TRUE(outcome->unsuccessful.empty()) << "a stop at the end is no failure";
  EXPECT_EQ(launcher.fake().launches().size(), 2u) << "two CPUs; nothing starts after the stop";
  auto contents = journal.Load();
  ASSERT_TRUE(contents.ok());
  int preempted = 0;
  for (const TaskEvent& e : contents->events) preempted += e.to == TaskState::kPreempted;
  EXPECT_EQ(preempted, 2);
  EXPECT_EQ(h.scheduler.counts()[static_cast<int>(TaskState::kFailed)], 0);
}

}  // namespace
}  // namespace allot
