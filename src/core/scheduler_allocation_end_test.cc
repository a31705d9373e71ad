// Allocation ends in the core: a worker's own end keeps tasks that would not fit off it, and
// checkpointing tasks get their last checkpoint signal ahead of an end by what their
// checkpoints took (learned), plus as much again.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <memory>
#include <string>

#include "core/scheduler.h"
#include "testing/fake_clock.h"
#include "testing/task_builder.h"
#include "testing/test_machines.h"

namespace allot {
namespace {

using namespace std::chrono_literals;
using ::testing::IsEmpty;

class AllocationEndTest : public ::testing::Test {
 protected:
  explicit AllocationEndTest(SchedulerOptions options = {})
      : scheduler_(std::make_unique<Scheduler>(&clock_, options)) {}
  Scheduler& s() { return *scheduler_; }
  Outbox Turn() {
    s().OnTimersDue();
    s().Schedule();
    Outbox out = std::move(*s().outbox());
    s().outbox()->Clear();
    return out;
  }
  TaskIndex Index(const std::string& id) { return *s().Find(id); }
  ExecutionId Execution(const std::string& id) {
    return MakeExecutionId(Index(id), s().attempts(Index(id)));
  }
  static bool Signals(const Outbox& out, int signal) {
    for (const SignalOrder& o : out.signals) {
      if (o.signal == signal) return true;
    }
    return false;
  }
  // The attempt exits with the checkpoint exit code, having left a set.
  void Checkpointed(const std::string& id) {
    AttemptUsage u;
    u.exit_code = 85;
    u.checkpointed = true;
    u.checkpoint = R"({"sealed":{"set":1,"files":[]}})";
    s().OnAttemptExited(Execution(id), u);
  }

  FakeClock clock_;
  std::unique_ptr<Scheduler> scheduler_;
};

TEST_F(AllocationEndTest, AWorkersEndKeepsATaskThatWouldNotFitOffItAndAnotherWorkerTakesIt) {
  ASSERT_TRUE(s().AddWorker(1, "ending", FlatMachine(1)).ok());
  s().SetWorkerEnd(1, clock_.Now() + 30min);
  ASSERT_TRUE(s().Submit({TaskBuilder("long").Estimate(1h), TaskBuilder("short").Estimate(10min)})
                  .ok());
  Outbox out = Turn();
  ASSERT_EQ(out.launches.size(), 1u);
  EXPECT_EQ(out.launches[0].task, Index("short"));
  ASSERT_TRUE(s().AddWorker(2, "open", FlatMachine(1)).ok());
  out = Turn();
  ASSERT_EQ(out.launches.size(), 1u);
  EXPECT_EQ(out.launches[0].task, Index("long"));
  EXPECT_EQ(out.launches[0].worker, 2u);
}

TEST_F(AllocationEndTest, TheLastCheckpointIsAskedAheadOfTheEndByTwiceWhatOneTook) {
  CheckpointSpec c;
  c.signal = SIGUSR1;
  c.every = 10min;
  ASSERT_TRUE(s().AddWorker(1, "w", FlatMachine(1)).ok());
  ASSERT_TRUE(s().Submit({TaskBuilder("sim").Checkpoint(c)}).ok());
  ASSERT_EQ(Turn().launches.size(), 1u);
  // The first checkpoint, on the timer, takes 30 s from the signal to the sealed exit.
  clock_.Advance(10min);
  ASSERT_TRUE(Signals(Turn(), SIGUSR1));
  clock_.Advance(30s);
  Checkpointed("sim");
  ASSERT_EQ(Turn().launches.size(), 1u);
  EXPECT_EQ(s().CheckpointLead(Index("sim")), 60s);

  // The worker's allocation ends in 5 minutes: the signal goes out a minute before.
  s().SetWorkerEnd(1, clock_.Now() + 5min);
  clock_.Advance(3min + 59s);
  EXPECT_FALSE(Signals(Turn(), SIGUSR1));
  clock_.Advance(1s);
  ASSERT_TRUE(Signals(Turn(), SIGUSR1));
  clock_.Advance(20s);
  Checkpointed("sim");
  // Ready again, but not started on a worker whose end is within its lead.
  EXPECT_THAT(Turn().launches, IsEmpty());
  EXPECT_EQ(s().state(Index("sim")), TaskState::kReady);
}

TEST_F(AllocationEndTest, WithoutACheckpointTakenYetTheLastOneIsAskedAtTheEnd) {
  CheckpointSpec c;
  c.signal = SIGUSR2;
  ASSERT_TRUE(s().AddWorker(1, "w", FlatMachine(1)).ok());
  ASSERT_TRUE(s().Submit({TaskBuilder("sim").Checkpoint(c), TaskBuilder("plain")}).ok());
  s().SetWorkerEnd(1, clock_.Now() + 10min);
  ASSERT_EQ(Turn().launches.size(), 1u);
  EXPECT_EQ(s().CheckpointLead(Index("sim")), Duration(0));
  EXPECT_EQ(s().CheckpointLead(Index("plain")), Duration(0));
  clock_.Advance(10min - 1s);
  EXPECT_FALSE(Signals(Turn(), SIGUSR2));
  clock_.Advance(1s);
  EXPECT_TRUE(Signals(Turn(), SIGUSR2));
}

}  // namespace
}  // namespace allot
