// The server loop on its own, with a fake worker channel (attempts that exit on the next
// turn), an in-memory journal and a fake clock: the channel contract (act only on what is
// durable; a journal failure launches nothing), posted calls answered after their turn's
// commit, long polls woken by commits, the end of both forms (done, stopped).
#include "server/server_loop.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "journal/memory_journal.h"
#include "testing/fake_clock.h"
#include "testing/faulty_journal.h"
#include "testing/task_builder.h"
#include "testing/test_machines.h"

namespace allot {
namespace {

TaskSpec Task(std::string id) { return TaskBuilder(std::move(id)).Build(); }

// Every launch succeeds at once and its exit (code 0) comes in the next turn's Receive.
// At every Act, records whether the journal already held each launch's running transition.
class FakeChannel final : public WorkerChannel {
 public:
  FakeChannel(Scheduler* scheduler, MemoryJournal* journal, const Clock* clock)
      : scheduler_(scheduler), journal_(journal), clock_(clock) {}

  std::vector<PollSource> PollSources() const override { return {}; }
  std::optional<TimePoint> NextDeadline() const override {
    if (running_.empty()) return std::nullopt;
    return clock_->Now();
  }
  void Receive() override {
    std::vector<ExecutionId> done;
    done.swap(running_);
    AttemptUsage exited;
    exited.exit_code = 0;
    for (ExecutionId e : done) scheduler_->OnAttemptExited(e, exited);
  }
  void Act(Outbox* out, bool journal_failed) override {
    std::vector<LaunchOrder> launches;
    launches.swap(out->launches);
    for (const LaunchOrder& l : launches) {
      if (journal_failed) {
        ++refused;
        scheduler_->OnLaunchFailed(l.execution, Status::Unavailable("the journal failed"));
        continue;
      }
      if (journal_ != nullptr) {
        bool durable = false;
        Result<JournalContents> contents = journal_->Load();
        for (const TaskEvent& e : contents->events) {
          durable = durable || (e.to == TaskState::kRunning &&
                                MakeExecutionId(e.task, e.attempt) == l.execution);
        }
        if (!durable) ++launched_before_commit;
      }
      ++launched;
      running_.push_back(l.execution);
    }
    out->signals.clear();
  }
  void Send() override { ++sends; }
  void Shutdown(bool kill) override {
    ++shutdowns;
    shutdown_kill = kill;
  }

  int launched = 0;
  int launched_before_commit = 0;
  int refused = 0;
  int sends = 0;
  int shutdowns = 0;
  bool shutdown_kill = false;

 private:
  Scheduler* scheduler_;
  MemoryJournal* journal_;
  const Clock* clock_;
  std::vector<ExecutionId> running_;
};

// Counts what the loop reports as durable.
class CountingObserver final : public LoopObserver {
 public:
  void OnEvents(std::span<const Submission> submissions, std::span<const TaskEvent> events,
                bool durable) override {
    (durable ? durable_submissions : dropped_submissions) += submissions.size();
    (durable ? durable_events : dropped_events) += events.size();
  }
  void OnTurn() override { ++turns; }
  std::atomic<size_t> durable_submissions{0}, durable_events{0};
  std::atomic<size_t> dropped_submissions{0}, dropped_events{0};
  int turns = 0;
};

class ServerLoopTest : public ::testing::Test {
 protected:
  void MakeLoop(JournalStore* journal, MemoryJournal* checked, bool exit_when_done) {
    LoopOptions options;
    options.exit_when_done = exit_when_done;
    options.max_wait = std::chrono::milliseconds(50);
    auto loop = ServerLoop::Create(&scheduler_, journal, &clock_, options);
    ASSERT_TRUE(loop.ok()) << loop.status().ToString();
    loop_ = std::move(*loop);
    channel_ = std::make_unique<FakeChannel>(&scheduler_, checked, &clock_);
    loop_->set_channel(channel_.get());
    loop_->AddObserver(&observer_);
    loop_->set_log([this](const std::string& line) { log_.push_back(line); });
  }
  void SubmitTasks(JournalStore* journal, int n) {
    std::vector<TaskSpec> specs;
    for (int i = 0; i < n; ++i) specs.push_back(Task("t" + std::to_string(i)));
    ASSERT_TRUE(scheduler_.Submit(std::move(specs)).ok());
  }

  FakeClock clock_;
  Scheduler scheduler_{&clock_, FlatMachine(2, kGiB), SchedulerOptions{}};
  std::unique_ptr<ServerLoop> loop_;
  std::unique_ptr<FakeChannel> channel_;
  CountingObserver observer_;
  std::vector<std::string> log_;
};

TEST_F(ServerLoopTest, RunWithoutAChannelIsAnError) {
  MemoryJournal journal;
  auto loop = ServerLoop::Create(&scheduler_, &journal, &clock_, LoopOptions{});
  ASSERT_TRUE(loop.ok());
  auto outcome = (*loop)->Run();
  EXPECT_EQ(outcome.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(ServerLoopTest, TheChannelActsOnlyOnLaunchesWhoseStartIsCommitted) {
  MemoryJournal journal;
  MakeLoop(&journal, &journal, /*exit_when_done=*/true);
  SubmitTasks(&journal, 7);
  auto outcome = loop_->Run();
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(channel_->launched, 7);
  EXPECT_EQ(channel_->launched_before_commit, 0);
  EXPECT_TRUE(scheduler_.Done());
  EXPECT_EQ(scheduler_.counts()[static_cast<int>(TaskState::kSucceeded)], 7);
  // Done: the channel is shut down once, gently; every transition was durable.
  EXPECT_EQ(channel_->shutdowns, 1);
  EXPECT_FALSE(channel_->shutdown_kill);
  EXPECT_EQ(observer_.dropped_events, 0u);
  EXPECT_EQ(observer_.durable_submissions, 7u);
  Result<JournalContents> contents = journal.Load();
  ASSERT_TRUE(contents.ok());
  EXPECT_EQ(loop_->committed_events(), static_cast<int64_t>(contents->events.size()));
  EXPECT_TRUE(loop_->closing());
}

TEST_F(ServerLoopTest, TurnsCommitOncePerTurnNotOncePerTransition) {
  MemoryJournal journal;
  MakeLoop(&journal, &journal, /*exit_when_done=*/true);
  SubmitTasks(&journal, 40);
  ASSERT_TRUE(loop_->Run().ok());
  // 40 tasks on 2 CPUs: 20 rounds of two starts and (next turn) two exits; at most one commit
  // a turn, so fewer commits than the 120 transitions.
  EXPECT_LE(journal.commit_count(), observer_.turns);
  EXPECT_LT(journal.commit_count(), static_cast<int>(observer_.durable_events));
}

TEST_F(ServerLoopTest, AFailedCommitLaunchesNothingAndEndsTheLoopWithTheCause) {
  MemoryJournal inner;
  FaultyJournal journal(&inner);
  MakeLoop(&journal, nullptr, /*exit_when_done=*/true);
  SubmitTasks(&journal, 3);
  journal.FailNextCommit(Status::IoError("disk full"), 1000);
  auto outcome = loop_->Run();
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(channel_->launched, 0);
  EXPECT_GT(channel_->refused, 0);
  EXPECT_NE(outcome->journal_error.message().find("disk full"), std::string::npos)
      << outcome->journal_error.ToString();
  EXPECT_EQ(observer_.durable_events, 0u);
  EXPECT_GT(observer_.dropped_events, 0u);
  EXPECT_EQ(loop_->committed_events(), 0);
  EXPECT_TRUE(channel_->shutdown_kill);  // workers are told to kill what they run
  ASSERT_FALSE(log_.empty());
  EXPECT_NE(log_.front().find("stopping all tasks"), std::string::npos) << log_.front();
}

TEST_F(ServerLoopTest, ACallRunsOnTheLoopAndIsAnsweredOnlyOnceItsTurnCommitted) {
  MemoryJournal journal;
  MakeLoop(&journal, &journal, /*exit_when_done=*/false);
  std::thread::id loop_thread = std::this_thread::get_id();
  std::thread client([&] {
    std::thread::id ran_on;
    auto answer = loop_->Call([&]() -> Result<nlohmann::json> {
      ran_on = std::this_thread::get_id();
      ALLOT_RETURN_IF_ERROR(scheduler_.Submit({Task("from-a-call")}));
      return nlohmann::json{{"ok", true}};
    });
    ASSERT_TRUE(answer.ok()) << answer.status().ToString();
    EXPECT_EQ((*answer)["ok"], true);
    EXPECT_EQ(ran_on, loop_thread);
    // The answer comes after the commit of the turn that ran the call.
    EXPECT_EQ(observer_.durable_submissions, 1u);
    ASSERT_TRUE(loop_->Call([&]() -> Result<nlohmann::json> {
                       loop_->BeginStop(/*kill=*/false);
                       return nlohmann::json::object();
                     }).ok());
  });
  auto outcome = loop_->Run();
  client.join();
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->stop_signal, 0);
  EXPECT_EQ(channel_->shutdowns, 1);
  EXPECT_FALSE(channel_->shutdown_kill);
}

TEST_F(ServerLoopTest, ACallAfterTheLoopEndedIsRefusedNotLeftWaiting) {
  MemoryJournal journal;
  MakeLoop(&journal, &journal, /*exit_when_done=*/true);
  SubmitTasks(&journal, 1);
  ASSERT_TRUE(loop_->Run().ok());
  auto answer = loop_->Call([]() -> Result<nlohmann::json> { return nlohmann::json(); });
  EXPECT_EQ(answer.status().code(), StatusCode::kUnavailable);
}

TEST_F(ServerLoopTest, ALongPollWakesOnTheCommitNotOnItsTimeout) {
  MemoryJournal journal;
  MakeLoop(&journal, &journal, /*exit_when_done=*/false);
  std::atomic<int64_t> seen{-1};
  std::thread poller([&] { seen = loop_->WaitForCommit(0, std::chrono::hours(1)); });
  std::thread client([&] {
    // Submitted, started: the running transitions are the first events committed.
    ASSERT_TRUE(loop_->Call([&]() -> Result<nlohmann::json> {
                       ALLOT_RETURN_IF_ERROR(scheduler_.Submit({Task("a")}));
                       return nlohmann::json();
                     }).ok());
    while (loop_->committed_events() == 0) loop_->WaitForCommit(0, std::chrono::seconds(1));
    poller.join();
    EXPECT_GT(seen.load(), 0);
    ASSERT_TRUE(loop_->Call([&]() -> Result<nlohmann::json> {
                       loop_->BeginStop(/*kill=*/true);
                       return nlohmann::json();
                     }).ok());
  });
  ASSERT_TRUE(loop_->Run().ok());
  client.join();
  // Stopped with kill: the attempts were killed; the channel's shutdown stays gentle (only a
  // journal failure makes it tell the workers to kill).
  EXPECT_FALSE(channel_->shutdown_kill);
}

TEST_F(ServerLoopTest, ALongPollWithNothingCommittedReturnsAtItsDeadline) {
  MemoryJournal journal;
  MakeLoop(&journal, &journal, /*exit_when_done=*/false);
  EXPECT_EQ(loop_->WaitForCommit(0, Duration(0)), 0);
  EXPECT_EQ(loop_->WaitForCommit(0, Duration(-5)), 0);
}

}  // namespace
}  // namespace allot
