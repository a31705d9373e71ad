// Multi-node tasks (`nodes: N`, core/scheduler_gang.cc): all N workers at once or none, every
// node released and signaled with the attempt, a lost node ends it, and a waiting one keeps its
// reservation against backfill.
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
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class SchedulerGangTest : public ::testing::Test {
 protected:
  Outbox Turn() {
    s_.Schedule();
    return Drain();
  }
  Outbox Drain() {
    Outbox out = std::move(*s_.outbox());
    s_.outbox()->Clear();
    return out;
  }
  TaskIndex Index(const std::string& id) { return *s_.Find(id); }
  TaskState State(const std::string& id) { return s_.state(Index(id)); }
  ExecutionId Execution(const std::string& id) {
    return MakeExecutionId(Index(id), s_.attempts(Index(id)));
  }
  Outbox Exit(const std::string& id, int code) {
    AttemptUsage u;
    u.exit_code = code;
    s_.OnAttemptExited(Execution(id), u);
    return Drain();
  }
  int Free(WorkerId w) { return s_.workers().at(w).pool.free().cores; }
  static std::vector<std::string> Ids(const Scheduler& s, const Outbox& turn) {
    std::vector<std::string> ids;
    for (const LaunchOrder& l : turn.launches) ids.push_back(s.id(l.task));
    return ids;
  }
  // (worker, signal) of each signal order of `turn` to `execution`.
  static std::set<std::pair<WorkerId, int>> SignalsTo(const Outbox& turn, ExecutionId e) {
    std::set<std::pair<WorkerId, int>> out;
    for (const SignalOrder& o : turn.signals) {
      if (o.execution == e) out.insert({o.worker, o.signal});
    }
    return out;
  }

  FakeClock clock_;
  Scheduler s_{&clock_, SchedulerOptions{}};
};

TEST_F(SchedulerGangTest, StartsOnlyWhenEveryNodeIsFreeAndClaimsThemAllAtOnce) {
  ASSERT_TRUE(s_.AddWorker(1, "a", FlatMachine(2)).ok());
  ASSERT_TRUE(s_.AddWorker(2, "b", FlatMachine(2)).ok());
  ASSERT_TRUE(s_.Submit({TaskBuilder("busy").Cores(2)}).ok());
  Turn();  // busy fills worker a
  ASSERT_TRUE(s_.Submit({TaskBuilder("mpi").Cores(2).Nodes(2)}).ok());
  EXPECT_THAT(Turn().launches, IsEmpty());
  EXPECT_EQ(State("mpi"), TaskState::kReady);
  EXPECT_THAT(s_.WhyWaiting(Index("mpi")), HasSubstr("needs 2 nodes"));
  EXPECT_EQ(Free(2), 2) << "no partial start: worker b keeps its cores";

  Exit("busy", 0);
  Outbox turn = Turn();
  ASSERT_EQ(turn.launches.size(), 1u);
  const LaunchOrder& l = turn.launches[0];
  EXPECT_EQ(l.worker, 1u);  // the leader: the first worker that holds it
  ASSERT_EQ(l.nodes.size(), 2u);
  EXPECT_EQ(l.nodes[0], (NodeShare{1, "a", l.allocation.cpus}));
  EXPECT_EQ(l.nodes[1].worker, 2u);
  EXPECT_EQ(l.nodes[1].name, "b");
  EXPECT_EQ(l.nodes[1].cpus, (std::vector<int>{0, 1}));
  EXPECT_EQ(Free(1), 0);
  EXPECT_EQ(Free(2), 0);
  EXPECT_EQ(s_.workers().at(2).running, 1);
  EXPECT_EQ(s_.NodesOf(l.execution), l.nodes);
}

TEST_F(SchedulerGangTest, ItsEndReleasesEveryNodeAndKillsWhatIsLeftOnTheOthers) {
  ASSERT_TRUE(s_.AddWorker(1, "a", FlatMachine(2)).ok());
  ASSERT_TRUE(s_.AddWorker(2, "b", FlatMachine(2)).ok());
  ASSERT_TRUE(s_.Submit({TaskBuilder("mpi").Cores(1).Nodes(2)}).ok());
  ASSERT_EQ(Turn().launches.size(), 1u);
  const ExecutionId e = Execution("mpi");
  AttemptUsage remote;
  remote.user_cpu = 3s;
  remote.max_rss_bytes = 100;
  s_.AddNodeUsage(e, remote);
  AttemptUsage u;
  u.exit_code = 0;
  u.user_cpu = 2s;
  u.max_rss_bytes = 50;
  s_.OnAttemptExited(e, u);
  Outbox end = Drain();
  EXPECT_EQ(State("mpi"), TaskState::kSucceeded);
  EXPECT_EQ(SignalsTo(end, e), (std::set<std::pair<WorkerId, int>>{{2, SIGKILL}}));
  ASSERT_FALSE(end.events.empty());
  ASSERT_TRUE(end.events.back().usage.has_value());
  EXPECT_EQ(end.events.back().usage->user_cpu, 5s) << "the other node's CPU time is summed in";
  EXPECT_EQ(end.events.back().usage->max_rss_bytes, 100);
  EXPECT_EQ(Free(1), 2);
  EXPECT_EQ(Free(2), 2);
  EXPECT_EQ(s_.workers().at(2).running, 0);
}

TEST_F(SchedulerGangTest, PauseResumeAndCancelReachEveryNode) {
  ASSERT_TRUE(s_.AddWorker(1, "a", FlatMachine(1)).ok());
  ASSERT_TRUE(s_.AddWorker(2, "b", FlatMachine(1)).ok());
  ASSERT_TRUE(s_.Submit({TaskBuilder("mpi").Nodes(2)}).ok());
  Turn();
  const ExecutionId e = Execution("mpi");
  s_.Control(Index("mpi"), ControlAction::kPause);
  EXPECT_EQ(SignalsTo(Drain(), e),
            (std::set<std::pair<WorkerId, int>>{{1, SIGSTOP}, {2, SIGSTOP}}));
  s_.Control(Index("mpi"), ControlAction::kResume);
  EXPECT_EQ(SignalsTo(Drain(), e),
            (std::set<std::pair<WorkerId, int>>{{1, SIGCONT}, {2, SIGCONT}}));
  s_.Control(Index("mpi"), ControlAction::kCancel);
  EXPECT_EQ(SignalsTo(Drain(), e),
            (std::set<std::pair<WorkerId, int>>{{1, SIGTERM}, {2, SIGTERM}}));
}

TEST_F(SchedulerGangTest, ATimeLimitSignalsEveryNode) {
  ASSERT_TRUE(s_.AddWorker(1, "a", FlatMachine(1)).ok());
  ASSERT_TRUE(s_.AddWorker(2, "b", FlatMachine(1)).ok());
  ASSERT_TRUE(s_.Submit({TaskBuilder("mpi").Nodes(2).TimeLimit(10s)}).ok());
  Turn();
  const ExecutionId e = Execution("mpi");
  clock_.Advance(10s);
  s_.OnTimersDue();
  EXPECT_EQ(SignalsTo(Drain(), e),
            (std::set<std::pair<WorkerId, int>>{{1, SIGTERM}, {2, SIGTERM}}));
}

TEST_F(SchedulerGangTest, ALostNodeEndsTheAttemptKillsTheOthersAndItRunsAgain) {
  ASSERT_TRUE(s_.AddWorker(1, "a", FlatMachine(1)).ok());
  ASSERT_TRUE(s_.AddWorker(2, "b", FlatMachine(1)).ok());
  ASSERT_TRUE(s_.Submit({TaskBuilder("mpi").Nodes(2)}).ok());
  Turn();
  const ExecutionId first = Execution("mpi");
  s_.RemoveWorker(2, "worker b stopped answering");
  Outbox lost = Drain();
  EXPECT_EQ(SignalsTo(lost, first), (std::set<std::pair<WorkerId, int>>{{1, SIGKILL}}));
  EXPECT_EQ(State("mpi"), TaskState::kReady);
  EXPECT_EQ(Free(1), 1);
  EXPECT_EQ(s_.workers().at(1).running, 0);
  // The leader's late exit report of the lost attempt changes nothing.
  AttemptUsage killed;
  killed.term_signal = SIGKILL;
  s_.OnAttemptExited(first, killed);
  EXPECT_EQ(State("mpi"), TaskState::kReady);

  ASSERT_TRUE(s_.AddWorker(3, "c", FlatMachine(1)).ok());
  Outbox again = Turn();
  ASSERT_EQ(again.launches.size(), 1u);
  EXPECT_EQ(again.launches[0].attempt, 2u);
  EXPECT_EQ(again.launches[0].nodes.at(1).name, "c");
}

TEST_F(SchedulerGangTest, ALostLeaderKillsTheOtherNodes) {
  ASSERT_TRUE(s_.AddWorker(1, "a", FlatMachine(1)).ok());
  ASSERT_TRUE(s_.AddWorker(2, "b", FlatMachine(1)).ok());
  ASSERT_TRUE(s_.Submit({TaskBuilder("mpi").Nodes(2)}).ok());
  Turn();
  const ExecutionId e = Execution("mpi");
  s_.RemoveWorker(1, "gone");
  EXPECT_EQ(SignalsTo(Drain(), e), (std::set<std::pair<WorkerId, int>>{{2, SIGKILL}}));
  EXPECT_EQ(Free(2), 1);
}

TEST_F(SchedulerGangTest, FewerWorkersThanNodesHoldNothingAndSaySo) {
  ASSERT_TRUE(s_.AddWorker(1, "a", FlatMachine(2)).ok());
  ASSERT_TRUE(s_.AddWorker(2, "b", FlatMachine(2)).ok());
  ASSERT_TRUE(s_.Submit({TaskBuilder("mpi").Nodes(3), TaskBuilder("t").Cores(2)}).ok());
  EXPECT_THAT(Ids(s_, Turn()), ElementsAre("t"));
  EXPECT_EQ(State("mpi"), TaskState::kReady);
  EXPECT_THAT(s_.WhyWaiting(Index("mpi")), HasSubstr("needs 3 nodes"));
  // A draining worker does not count either.
  ASSERT_TRUE(s_.AddWorker(3, "c", FlatMachine(2)).ok());
  s_.DrainWorker(3);
  EXPECT_THAT(Turn().launches, IsEmpty());
  Exit("t", 0);
  ASSERT_TRUE(s_.AddWorker(4, "d", FlatMachine(2)).ok());
  Outbox turn = Turn();
  ASSERT_THAT(Ids(s_, turn), ElementsAre("mpi"));
  std::vector<WorkerId> on;
  for (const NodeShare& n : turn.launches[0].nodes) on.push_back(n.worker);
  EXPECT_THAT(on, ElementsAre(1, 2, 4));
}

TEST_F(SchedulerGangTest, AWaitingOneKeepsItsReservationAgainstLongBackfill) {
  // Worker b is busy until 100 s with 2 of its 3 cores; the 2-node task needs 3 cores on each.
  ASSERT_TRUE(s_.AddWorker(1, "a", FlatMachine(3)).ok());
  ASSERT_TRUE(s_.AddWorker(2, "b", FlatMachine(3)).ok());
  ASSERT_TRUE(s_.Submit({TaskBuilder("filler").Cores(3).Estimate(100s),
                         TaskBuilder("busy").Cores(2).Estimate(100s)})
                  .ok());
  ASSERT_THAT(Ids(s_, Turn()), ElementsAre("filler", "busy"));
  Exit("filler", 0);  // worker a is free again, b is not
  ASSERT_TRUE(s_.Submit({TaskBuilder("mpi").Cores(3).Nodes(2).Estimate(10s),
                         TaskBuilder("long").Cores(1).Estimate(1000s),
                         TaskBuilder("short").Cores(1).Estimate(50s)})
                  .ok());
  // a holds its share for mpi: long does not take it; on b, mpi is the head whose reservation
  // (at 100 s) only short, which ends before it, may use.
  EXPECT_THAT(Ids(s_, Turn()), ElementsAre("short"));
  EXPECT_EQ(s_.WorkerOf(Index("short")), 2u);
  EXPECT_EQ(Free(1), 3);
  clock_.Advance(50s);
  Exit("short", 0);
  EXPECT_THAT(Turn().launches, IsEmpty());
  clock_.Advance(50s);
  Exit("busy", 0);
  EXPECT_THAT(Ids(s_, Turn()), ElementsAre("mpi"));
  EXPECT_EQ(State("long"), TaskState::kReady);
  Exit("mpi", 0);
  EXPECT_THAT(Ids(s_, Turn()), ElementsAre("long"));
}

TEST_F(SchedulerGangTest, ItReservesOnlyTheWorkersThatFreeFirst) {
  // Each worker has 2 cores; b frees one at 10 s, c at 100 s; a is free.
  ASSERT_TRUE(s_.AddWorker(1, "a", FlatMachine(2)).ok());
  ASSERT_TRUE(s_.AddWorker(2, "b", FlatMachine(2)).ok());
  ASSERT_TRUE(s_.Submit({TaskBuilder("fill-a").Cores(2).Estimate(1s),
                         TaskBuilder("busy-b").Cores(1).Estimate(10s),
                         TaskBuilder("pad-b").Cores(1).Estimate(1s)})
                  .ok());
  ASSERT_THAT(Ids(s_, Turn()), ElementsAre("fill-a", "busy-b", "pad-b"));
  ASSERT_TRUE(s_.AddWorker(3, "c", FlatMachine(2)).ok());
  ASSERT_TRUE(s_.Submit({TaskBuilder("busy-c").Cores(1).Estimate(100s)}).ok());
  ASSERT_THAT(Ids(s_, Turn()), ElementsAre("busy-c"));
  Exit("fill-a", 0);
  Exit("pad-b", 0);
  ASSERT_TRUE(s_.Submit({TaskBuilder("mpi").Cores(2).Nodes(2).Estimate(10s),
                         TaskBuilder("long").Cores(1).Estimate(1000s)})
                  .ok());
  // mpi holds a and reserves b (free at 10 s); c is not one of its nodes: long backfills there.
  Outbox turn = Turn();
  ASSERT_THAT(Ids(s_, turn), ElementsAre("long"));
  EXPECT_EQ(turn.launches[0].worker, 3u);
  clock_.Advance(10s);
  Exit("busy-b", 0);
  Outbox started = Turn();
  ASSERT_THAT(Ids(s_, started), ElementsAre("mpi"));
  std::vector<WorkerId> on;
  for (const NodeShare& n : started.launches[0].nodes) on.push_back(n.worker);
  EXPECT_THAT(on, ElementsAre(1, 2));
}

TEST_F(SchedulerGangTest, AReportedMultiNodeAttemptIsKilledAfterAServerRestart) {
  ASSERT_TRUE(s_.AddWorker(1, "a", FlatMachine(1)).ok());
  ASSERT_TRUE(s_.AddWorker(2, "b", FlatMachine(1)).ok());
  ASSERT_TRUE(s_.Submit({TaskBuilder("mpi").Nodes(2)}).ok());
  s_.Schedule();
  Outbox journal = Drain();
  const LaunchOrder launch = journal.launches.at(0);

  Scheduler again(&clock_, SchedulerOptions{});
  ASSERT_TRUE(again.Recover(journal.submissions, journal.events, RecoverMode::kAwaitWorkers).ok());
  again.outbox()->Clear();
  ReportedAttempt reported{launch.execution, launch.allocation.cpus, {}, 0};
  ASSERT_TRUE(again.AddWorker(1, "a", FlatMachine(1), {&reported, 1}).ok());
  const Outbox out = std::move(*again.outbox());
  ASSERT_EQ(out.signals.size(), 1u);
  EXPECT_EQ(out.signals[0].signal, SIGKILL);
  EXPECT_EQ(again.workers().at(1).pool.free().cores, 1);
  again.outbox()->Clear();
  again.ExpireUnattached("not reported");
  EXPECT_EQ(again.state(*again.Find("mpi")), TaskState::kReady);
}

TEST(SchedulerGangFairShareTest, UnderFairShareEachNodeIsADistinctWorker) {
  FakeClock clock;
  SchedulerOptions options;
  options.share_weights = {{"a", 1}, {"b", 1}};
  Scheduler s(&clock, options);
  ASSERT_TRUE(s.AddWorker(1, "a", FlatMachine(4)).ok());
  ASSERT_TRUE(s.AddWorker(2, "b", FlatMachine(4)).ok());
  TaskSpec mpi = TaskBuilder("mpi").Cores(1).Nodes(2);
  mpi.tags["project"] = "a";
  TaskSpec other = TaskBuilder("other").Cores(1);
  other.tags["project"] = "b";
  ASSERT_TRUE(s.Submit({mpi, other}).ok());
  s.Schedule();
  const Outbox out = std::move(*s.outbox());
  const LaunchOrder* launch = nullptr;
  for (const LaunchOrder& l : out.launches) {
    if (s.id(l.task) == "mpi") launch = &l;
  }
  ASSERT_NE(launch, nullptr);
  ASSERT_EQ(launch->nodes.size(), 2u);
  EXPECT_NE(launch->nodes[0].worker, launch->nodes[1].worker);
  EXPECT_EQ(s.workers().at(1).pool.free().cores + s.workers().at(2).pool.free().cores, 5);
}

TEST(SchedulerGangEmbeddedTest, AllotRunRefusesAMultiNodeTask) {
  FakeClock clock;
  Scheduler s(&clock, FlatMachine(4), SchedulerOptions{});
  Status st = s.Submit({TaskBuilder("mpi").Nodes(2)});
  EXPECT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr("asks for 2 nodes"));
}

}  // namespace
}  // namespace allot
