// Scheduler: placement. Elastic cores, memory/GPU/custom accounting, topology-aware CPU choice,
// the running limit, and EASY backfilling (a big high-priority task is not starved).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
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
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

std::set<int> NodesOf(const Machine& m, const std::vector<int>& os_ids) {
  std::set<int> nodes;
  for (int id : os_ids) {
    for (const Cpu& c : m.cpus) {
      if (c.os_index == id) nodes.insert(c.numa_node);
    }
  }
  return nodes;
}

TEST(SchedulerResourcesTest, ElasticTaskTakesUpToItsMaxOfWhatIsFree) {
  FakeLauncherDriver d(FlatMachine(8));
  ASSERT_TRUE(d.Submit({TaskBuilder("e").Cores(2, 6)}).ok());
  d.Turn();
  EXPECT_EQ(d.Live("e")->allocation.cpus.size(), 6u);
}

TEST(SchedulerResourcesTest, ElasticTaskTakesWhatIsLeftWhenAtLeastItsMin) {
  FakeLauncherDriver d(FlatMachine(8));
  ASSERT_TRUE(d.Submit({TaskBuilder("fixed").Cores(5), TaskBuilder("e").Cores(2, 6),
                        TaskBuilder("e2").Cores(2, 6)})
                  .ok());
  EXPECT_THAT(d.IdsOf(d.Turn()), ElementsAre("fixed", "e"));
  EXPECT_EQ(d.Live("e")->allocation.cpus.size(), 3u);
  EXPECT_EQ(d.WhyWaiting("e2"), "needs 2 cores, 0 free");
  d.Exit("e", 0);
  d.Turn();
  EXPECT_EQ(d.Live("e2")->allocation.cpus.size(), 3u);
}

TEST(SchedulerResourcesTest, WhyWaitingCountsOneCoreInTheSingular) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(d.Submit({TaskBuilder("a"), TaskBuilder("b")}).ok());
  EXPECT_THAT(d.IdsOf(d.Turn()), ElementsAre("a"));
  EXPECT_EQ(d.WhyWaiting("b"), "needs 1 core, 0 free");
}

TEST(SchedulerResourcesTest, ElasticTaskBelowItsMinWaits) {
  FakeLauncherDriver d(FlatMachine(4));
  ASSERT_TRUE(d.Submit({TaskBuilder("fixed").Cores(3), TaskBuilder("e").Cores(2, 4)}).ok());
  EXPECT_THAT(d.IdsOf(d.Turn()), ElementsAre("fixed"));
  EXPECT_EQ(d.WhyWaiting("e"), "needs 2 cores, 1 free");
}

TEST(SchedulerResourcesTest, MemoryIsAccountedAndNeverOversubscribed) {
  FakeLauncherDriver d(FlatMachine(8, 10 * kGiB));
  ASSERT_TRUE(d.Submit({TaskBuilder("m1").Memory(6 * kGiB), TaskBuilder("m2").Memory(6 * kGiB),
                        TaskBuilder("m3").Memory(4 * kGiB), TaskBuilder("free")})
                  .ok());
  // m2 does not fit; m3 fits beside m1 but would delay m2 (no time bounds: m2 reserves).
  EXPECT_THAT(d.IdsOf(d.Turn()), ElementsAre("m1", "free"));
  EXPECT_EQ(d.WhyWaiting("m2"), "needs more memory than is free");
  EXPECT_EQ(d.scheduler().pool().free().memory_bytes, 4 * kGiB);
  d.Exit("m1", 0);
  EXPECT_THAT(d.IdsOf(d.Turn()), ElementsAre("m2", "m3"));
  EXPECT_EQ(d.scheduler().pool().free().memory_bytes, 0);
}

TEST(SchedulerResourcesTest, GpusAreHandedOutByIdAndNeverTwice) {
  FakeLauncherDriver d(FlatMachine(8, 64 * kGiB, /*gpus=*/3));
  ASSERT_TRUE(
      d.Submit({TaskBuilder("g2").Gpus(2), TaskBuilder("g2b").Gpus(2), TaskBuilder("g1").Gpus(1)})
          .ok());
  Outbox turn = d.Turn();
  EXPECT_THAT(d.IdsOf(turn), ElementsAre("g2"));
  EXPECT_EQ(d.WhyWaiting("g2b"), "needs 2 GPUs, 1 free");
  std::set<int> used(d.Live("g2")->allocation.gpus.begin(), d.Live("g2")->allocation.gpus.end());
  EXPECT_EQ(used.size(), 2u);
  d.Exit("g2", 0);
  d.Turn();
  ASSERT_TRUE(d.IsRunning("g2b"));
  ASSERT_TRUE(d.IsRunning("g1"));
  std::set<int> all;
  for (int g : d.Live("g2b")->allocation.gpus) all.insert(g);
  for (int g : d.Live("g1")->allocation.gpus) all.insert(g);
  EXPECT_EQ(all, (std::set<int>{0, 1, 2}));
}

TEST(SchedulerResourcesTest, CustomResourcesSerializeTasksThatShareThem) {
  FakeLauncherDriver d(FlatMachine(8, 64 * kGiB, 0, {{"licenses", 2}}));
  ASSERT_TRUE(
      d.Submit({TaskBuilder("l1").Custom("licenses", 1), TaskBuilder("l2").Custom("licenses", 2),
                TaskBuilder("l3").Custom("licenses", 1)})
          .ok());
  EXPECT_THAT(d.IdsOf(d.Turn()), ElementsAre("l1"));
  EXPECT_EQ(d.WhyWaiting("l2"), "needs 2 licenses, 1 free");
  d.Exit("l1", 0);
  EXPECT_THAT(d.IdsOf(d.Turn()), ElementsAre("l2"));
  d.Exit("l2", 0);
  EXPECT_THAT(d.IdsOf(d.Turn()), ElementsAre("l3"));
  EXPECT_EQ(d.scheduler().pool().free().custom.at("licenses"), 1);
}

TEST(SchedulerResourcesTest, FourCoreTaskLandsInOneNumaNode) {
  const Machine m = NumaMachine(1, 2, 4);  // node 0: CPUs 0 2 4 6; node 1: 1 3 5 7
  FakeLauncherDriver d(m);
  ASSERT_TRUE(d.Submit({TaskBuilder("one").Cores(1), TaskBuilder("four").Cores(4),
                        TaskBuilder("two").Cores(2)})
                  .ok());
  d.Turn();
  EXPECT_EQ(NodesOf(m, d.Live("one")->allocation.cpus).size(), 1u);
  const int one_node = *NodesOf(m, d.Live("one")->allocation.cpus).begin();
  std::set<int> four = NodesOf(m, d.Live("four")->allocation.cpus);
  ASSERT_EQ(four.size(), 1u) << "the 4-core task spans NUMA nodes";
  EXPECT_NE(*four.begin(), one_node) << "only the other node has 4 free CPUs";
  // The 2-core task goes where 3 are free, keeping nothing split needlessly.
  EXPECT_EQ(NodesOf(m, d.Live("two")->allocation.cpus), std::set<int>{one_node});
}

TEST(SchedulerResourcesTest, BestFitKeepsWholeNodesForLargerTasks) {
  const Machine m = NumaMachine(1, 2, 4);
  FakeLauncherDriver d(m);
  ASSERT_TRUE(d.Submit({TaskBuilder("three").Cores(3)}).ok());
  d.Turn();
  ASSERT_TRUE(d.Submit({TaskBuilder("one").Cores(1), TaskBuilder("four").Cores(4)}).ok());
  d.Turn();
  EXPECT_EQ(NodesOf(m, d.Live("one")->allocation.cpus),
            NodesOf(m, d.Live("three")->allocation.cpus))
      << "the 1-core task should fill the partly used node";
  EXPECT_EQ(NodesOf(m, d.Live("four")->allocation.cpus).size(), 1u);
}

TEST(SchedulerResourcesTest, TaskTooBigForANodeStaysInOnePackage) {
  const Machine m = NumaMachine(2, 2, 2);  // 2 packages x 2 nodes x 2 CPUs
  FakeLauncherDriver d(m);
  ASSERT_TRUE(d.Submit({TaskBuilder("one").Cores(1), TaskBuilder("four").Cores(4)}).ok());
  d.Turn();
  std::set<int> packages;
  for (int id : d.Live("four")->allocation.cpus) {
    for (const Cpu& c : m.cpus) {
      if (c.os_index == id) packages.insert(c.package);
    }
  }
  EXPECT_EQ(packages.size(), 1u);
}

TEST(SchedulerResourcesTest, TaskLargerThanAnyNodeSpansTheFewestNodes) {
  const Machine m = NumaMachine(1, 3, 4);  // 12 CPUs, 3 nodes
  FakeLauncherDriver d(m);
  ASSERT_TRUE(d.Submit({TaskBuilder("one").Cores(1), TaskBuilder("six").Cores(6)}).ok());
  d.Turn();
  EXPECT_EQ(NodesOf(m, d.Live("six")->allocation.cpus).size(), 2u);
  EXPECT_EQ(d.Live("six")->allocation.cpus.size(), 6u);
}

// Documented as "one NUMA node if possible, else one package, else the fewest nodes": a task
// that fits no node should still not be spread over more nodes than needed.
TEST(SchedulerResourcesTest, TaskSpanningNodesWithinAPackageUsesTheFewestNodes) {
  const Machine m = NumaMachine(1, 3, 4);  // one package, 3 nodes of 4
  FakeLauncherDriver d(m);
  ASSERT_TRUE(d.Submit({TaskBuilder("three").Cores(3)}).ok());
  d.Turn();  // node 0 keeps 1 free CPU
  ASSERT_TRUE(d.Submit({TaskBuilder("six").Cores(6)}).ok());
  d.Turn();
  EXPECT_EQ(NodesOf(m, d.Live("six")->allocation.cpus).size(), 2u)
      << "nodes 1 and 2 hold 8 free CPUs; 6 need not touch node 0";
}

TEST(SchedulerResourcesTest, RunningLimitCapsConcurrentAttempts) {
  SchedulerOptions options;
  options.max_running = 2;
  FakeLauncherDriver d(FlatMachine(8), options);
  ASSERT_TRUE(
      d.Submit({TaskBuilder("a"), TaskBuilder("b"), TaskBuilder("c"), TaskBuilder("e")}).ok());
  EXPECT_THAT(d.IdsOf(d.Turn()), ElementsAre("a", "b"));
  EXPECT_THAT(d.WhyWaiting("c"), ::testing::HasSubstr("limit on"));
  EXPECT_EQ(d.WhyWaiting("e"), "queued behind 'c'");
  EXPECT_THAT(d.IdsOf(d.Turn()), IsEmpty());
  d.Exit("a", 0);
  EXPECT_THAT(d.IdsOf(d.Turn()), ElementsAre("c"));
  EXPECT_EQ(d.scheduler().running(), 2u);
}

// Without any time bounds, the head of the queue keeps what frees up until it fits.
TEST(SchedulerResourcesTest, BigHighPriorityTaskIsNotStarvedByAStreamOfSmallOnes) {
  FakeLauncherDriver d(FlatMachine(8));
  std::vector<TaskSpec> smalls;
  for (int i = 0; i < 8; ++i) smalls.push_back(TaskBuilder("s" + std::to_string(i)));
  ASSERT_TRUE(d.Submit(smalls).ok());
  d.Turn();
  ASSERT_TRUE(d.Submit({TaskBuilder("big").Cores(8).Priority(10)}).ok());
  int next = 8;
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(d.Submit({TaskBuilder("s" + std::to_string(next++))}).ok());
    d.Exit("s" + std::to_string(i), 0);
    std::vector<std::string> started = d.IdsOf(d.Turn());
    if (i < 7) {
      EXPECT_THAT(started, IsEmpty()) << "after s" << i << " ended";
    } else {
      EXPECT_THAT(started, ElementsAre("big"));
    }
  }
}

// The same when the big task is behind in priority order but first in FIFO order.
TEST(SchedulerResourcesTest, BigTaskAtTheHeadIsNotStarvedByLaterSmallOnes) {
  FakeLauncherDriver d(FlatMachine(4));
  ASSERT_TRUE(d.Submit({TaskBuilder("s0"), TaskBuilder("s1")}).ok());
  d.Turn();  // s0, s1 run
  ASSERT_TRUE(d.Submit({TaskBuilder("big").Cores(4)}).ok());
  ASSERT_TRUE(d.Submit({TaskBuilder("late1"), TaskBuilder("late2").Cores(2)}).ok());
  // 2 cores free but big needs them: nothing backfills without time bounds.
  EXPECT_THAT(d.IdsOf(d.Turn()), IsEmpty());
  d.Exit("s0", 0);
  EXPECT_THAT(d.IdsOf(d.Turn()), IsEmpty());
  d.Exit("s1", 0);
  EXPECT_THAT(d.IdsOf(d.Turn()), ElementsAre("big"));
}

// Without time bounds, backfill still uses what the head will not need: here the head waits
// for memory, so spare cores may go to tasks that need no memory.
TEST(SchedulerResourcesTest, BackfillUsesResourcesBeyondTheHeadsNeed) {
  FakeLauncherDriver d(FlatMachine(8, 10 * kGiB));
  ASSERT_TRUE(d.Submit({TaskBuilder("r").Memory(8 * kGiB)}).ok());
  d.Turn();  // 7 cores and 2 GiB free
  ASSERT_TRUE(
      d.Submit({TaskBuilder("head").Cores(2).Memory(4 * kGiB).Priority(5), TaskBuilder("cpu-only"),
                TaskBuilder("needs-memory").Memory(1 * kGiB), TaskBuilder("wide").Cores(6)})
          .ok());
  EXPECT_THAT(d.IdsOf(d.Turn()), ElementsAre("cpu-only"))
      << "needs-memory would take the head's memory; wide its cores";
  d.Exit("r", 0);
  EXPECT_THAT(d.IdsOf(d.Turn()), ElementsAre("head", "needs-memory"));
}

TEST(SchedulerResourcesTest, WithEstimatesShortTasksBackfillAndLongOnesWait) {
  FakeLauncherDriver d(FlatMachine(8));
  ASSERT_TRUE(d.Submit({TaskBuilder("r").Cores(6).Estimate(100s)}).ok());
  d.Turn();
  ASSERT_TRUE(d.Submit({TaskBuilder("big").Cores(8).Priority(10),
                        TaskBuilder("short").Estimate(50s), TaskBuilder("long").Estimate(200s),
                        TaskBuilder("limited").TimeLimit(90s).Grace(10s), TaskBuilder("unbounded")})
                  .ok());
  // Shadow time: r ends at +100s. "short" (by its estimate) and "limited" (killed at the latest
  // at limit + grace) end by then; the others would delay big.
  EXPECT_THAT(d.IdsOf(d.Turn()), UnorderedElementsAre("short", "limited"));
  EXPECT_EQ(d.WhyWaiting("big"), "needs 8 cores, 2 free");
  d.Advance(50s);
  d.Exit("short", 0);
  EXPECT_THAT(d.IdsOf(d.Turn()), IsEmpty()) << "50s left to the shadow; 'long' still too long";
  d.Advance(50s);
  d.Exit("r", 0);
  d.Exit("limited", 0);
  EXPECT_THAT(d.IdsOf(d.Turn()), ElementsAre("big"));
}

TEST(SchedulerResourcesTest, WithEstimatesBackfillMayUseTheExtraBeyondTheReservation) {
  FakeLauncherDriver d(FlatMachine(8));
  ASSERT_TRUE(d.Submit({TaskBuilder("r").Cores(6).Estimate(100s)}).ok());
  d.Turn();
  ASSERT_TRUE(
      d.Submit({TaskBuilder("head").Cores(6).Priority(10), TaskBuilder("long1").Estimate(1000s),
                TaskBuilder("long2"), TaskBuilder("long3")})
          .ok());
  // At the shadow (+100s) 8 are free and head needs 6: two long tasks may run beside it.
  EXPECT_THAT(d.IdsOf(d.Turn()), ElementsAre("long1", "long2"));
  d.Advance(100s);
  d.Exit("r", 0);
  EXPECT_THAT(d.IdsOf(d.Turn()), ElementsAre("head"));
}

TEST(SchedulerResourcesTest, EveryAllocationStaysWithinTheMachine) {
  FakeLauncherDriver d(FlatMachine(6, 8 * kGiB, 2, {{"lic", 1}}));
  std::vector<TaskSpec> specs;
  for (int i = 0; i < 30; ++i) {
    TaskBuilder b("t" + std::to_string(i));
    b.Cores(1 + i % 3, 1 + i % 3 + i % 2).Memory((i % 4) * kGiB).Gpus(i % 7 == 0 ? 1 : 0);
    if (i % 5 == 0) b.Custom("lic", 1);
    specs.push_back(b);
  }
  ASSERT_TRUE(d.Submit(specs).ok());
  for (int round = 0; round < 100 && !d.scheduler().Done(); ++round) {
    d.Turn();  // the driver checks CPU/GPU/memory/custom holdings after each drain
    if (!d.live().empty()) d.ExitExecution(d.live().begin()->first, AttemptUsage{.exit_code = 0});
  }
  EXPECT_TRUE(d.scheduler().Done());
}

}  // namespace
}  // namespace allot
