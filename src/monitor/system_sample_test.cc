#include "monitor/system_sample.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace allot {
namespace {

CpuTimes Times(int cpu, uint64_t user, uint64_t system, uint64_t idle, uint64_t iowait = 0) {
  CpuTimes t;
  t.cpu = cpu;
  t.user = user;
  t.system = system;
  t.idle = idle;
  t.iowait = iowait;
  return t;
}

TEST(BusyFractionTest, IsBusyDeltaOverTotalDelta) {
  // +60 user, +20 system, +20 idle: 80% busy.
  EXPECT_DOUBLE_EQ(BusyFraction(Times(0, 100, 100, 100), Times(0, 160, 120, 120)), 0.8);
  // iowait counts as not busy.
  EXPECT_DOUBLE_EQ(BusyFraction(Times(0, 0, 0, 0, 0), Times(0, 25, 0, 25, 50)), 0.25);
}

TEST(BusyFractionTest, EveryBusyFieldCounts) {
  CpuTimes prev;
  CpuTimes next;
  next.user = next.nice = next.system = next.irq = next.softirq = next.steal = 1;
  next.idle = 4;
  next.iowait = 2;
  EXPECT_DOUBLE_EQ(BusyFraction(prev, next), 0.5);
}

TEST(BusyFractionTest, NoElapsedJiffiesIsZero) {
  EXPECT_EQ(BusyFraction(Times(0, 5, 5, 5), Times(0, 5, 5, 5)), 0.0);
}

TEST(BusyFractionTest, CountersThatGoBackwardsContributeZero) {
  // idle went backwards (NOHZ quirk): only the busy delta remains, so 100% busy, not > 1.
  EXPECT_DOUBLE_EQ(BusyFraction(Times(0, 100, 0, 1000), Times(0, 150, 0, 900)), 1.0);
  // user went backwards: its delta is 0, the idle delta makes the CPU idle.
  EXPECT_DOUBLE_EQ(BusyFraction(Times(0, 100, 0, 1000), Times(0, 50, 0, 1100)), 0.0);
  // Everything went backwards (counters reset): 0, not garbage.
  EXPECT_EQ(BusyFraction(Times(0, 100, 100, 100), Times(0, 1, 1, 1)), 0.0);
}

TEST(BusyFractionTest, WrappedCountersClampToZero) {
  const uint64_t near_max = std::numeric_limits<uint64_t>::max() - 5;
  const double f = BusyFraction(Times(0, near_max, 0, 100), Times(0, 10, 0, 200));
  EXPECT_EQ(f, 0.0);
}

TEST(CpuUtilizationTest, ReportsEveryCpuAndTheAggregate) {
  NodeCpuStat prev;
  prev.all = Times(-1, 0, 0, 0);
  prev.cpus = {Times(0, 0, 0, 0), Times(1, 0, 0, 0)};
  NodeCpuStat next;
  next.all = Times(-1, 100, 0, 100);
  next.cpus = {Times(0, 100, 0, 0), Times(1, 0, 0, 100)};
  CpuUtilizationReport r = CpuUtilization(prev, next);
  EXPECT_DOUBLE_EQ(r.all, 0.5);
  ASSERT_EQ(r.cores.size(), 2u);
  EXPECT_EQ(r.cores[0].cpu, 0);
  EXPECT_DOUBLE_EQ(r.cores[0].busy, 1.0);
  EXPECT_EQ(r.cores[1].cpu, 1);
  EXPECT_DOUBLE_EQ(r.cores[1].busy, 0.0);
}

TEST(CpuUtilizationTest, CpuGoingOfflineBetweenSamplesIsLeftOutAndOthersMatchById) {
  NodeCpuStat prev;
  prev.cpus = {Times(0, 0, 0, 0), Times(1, 0, 0, 0), Times(2, 0, 0, 0), Times(3, 0, 0, 0)};
  NodeCpuStat next;  // cpu1 went offline: cpu2 is now at index 1
  next.cpus = {Times(0, 10, 0, 30), Times(2, 30, 0, 10), Times(3, 0, 0, 40)};
  CpuUtilizationReport r = CpuUtilization(prev, next);
  ASSERT_EQ(r.cores.size(), 3u);
  EXPECT_EQ(r.cores[0].cpu, 0);
  EXPECT_DOUBLE_EQ(r.cores[0].busy, 0.25);
  EXPECT_EQ(r.cores[1].cpu, 2);
  EXPECT_DOUBLE_EQ(r.cores[1].busy, 0.75);
  EXPECT_EQ(r.cores[2].cpu, 3);
  EXPECT_DOUBLE_EQ(r.cores[2].busy, 0.0);
}

TEST(CpuUtilizationTest, CpuComingOnlineBetweenSamplesIsLeftOutUntilItHasTwo) {
  NodeCpuStat prev;
  prev.cpus = {Times(0, 0, 0, 0)};
  NodeCpuStat next;
  next.cpus = {Times(0, 5, 0, 5), Times(1, 1000, 0, 0)};
  CpuUtilizationReport r = CpuUtilization(prev, next);
  ASSERT_EQ(r.cores.size(), 1u);
  EXPECT_EQ(r.cores[0].cpu, 0);
  EXPECT_DOUBLE_EQ(r.cores[0].busy, 0.5);
}

}  // namespace
}  // namespace allot
