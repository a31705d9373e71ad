#include "report/utilization_timeline.h"

#include <gtest/gtest.h>

#include "report/report_testing.h"

namespace allot {
namespace {

using report_testing::At;

AttemptRecord Attempt(double start_s, double end_s, int cores, double cpu_s) {
  AttemptRecord a;
  a.start_us = At(start_s);
  a.end_us = At(end_s);
  a.cores = cores;
  AttemptUsage u;
  u.wall = FromSeconds(end_s - start_s);
  u.user_cpu = FromSeconds(cpu_s);
  a.usage = u;
  return a;
}

TEST(SweepUtilizationTest, OneAttemptIsFlatOverTheWholeSpan) {
  std::vector<AttemptRecord> a = {Attempt(0, 10, 4, 20)};
  std::vector<UtilizationBin> bins = SweepUtilization(a, 5);
  ASSERT_EQ(bins.size(), 5u);
  EXPECT_EQ(bins.front().begin_us, At(0));
  EXPECT_EQ(bins.back().end_us, At(10));
  for (const UtilizationBin& b : bins) {
    EXPECT_DOUBLE_EQ(b.cores_allocated, 4);
    EXPECT_DOUBLE_EQ(b.cores_used, 2);  // 20 CPU-seconds over 10 s
  }
}

TEST(SweepUtilizationTest, BinsAreExactTimeAveragesOfOverlappingAttempts) {
  // [0,10) 2 cores; [5,10) 1 more core. Two bins of 5 s: 2 then 3 cores.
  // One bin of 10 s: (2*10 + 1*5) / 10 = 2.5.
  std::vector<AttemptRecord> a = {Attempt(0, 10, 2, 0), Attempt(5, 10, 1, 5)};
  std::vector<UtilizationBin> two = SweepUtilization(a, 2);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_DOUBLE_EQ(two[0].cores_allocated, 2);
  EXPECT_DOUBLE_EQ(two[1].cores_allocated, 3);
  EXPECT_DOUBLE_EQ(two[0].cores_used, 0);
  EXPECT_DOUBLE_EQ(two[1].cores_used, 1);
  std::vector<UtilizationBin> one = SweepUtilization(a, 1);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_DOUBLE_EQ(one[0].cores_allocated, 2.5);
  EXPECT_DOUBLE_EQ(one[0].cores_used, 0.5);
}

TEST(SweepUtilizationTest, AGapBetweenAttemptsIsZero) {
  std::vector<AttemptRecord> a = {Attempt(0, 1, 1, 1), Attempt(2, 3, 1, 1)};
  std::vector<UtilizationBin> bins = SweepUtilization(a, 3);
  ASSERT_EQ(bins.size(), 3u);
  EXPECT_DOUBLE_EQ(bins[0].cores_allocated, 1);
  EXPECT_DOUBLE_EQ(bins[1].cores_allocated, 0);
  EXPECT_DOUBLE_EQ(bins[2].cores_allocated, 1);
}

TEST(SweepUtilizationTest, BinsKeepTheTotalCoreSecondsWhateverTheirNumber) {
  // The mean over all bins, weighted by width, is the total core-seconds over the span.
  std::vector<AttemptRecord> a = {Attempt(0, 7.3, 3, 9), Attempt(1.1, 2.9, 5, 4),
                                  Attempt(6, 20, 1, 14)};
  for (int n : {1, 3, 7, 64, 1000}) {
    double allocated = 0, used = 0;
    for (const UtilizationBin& b : SweepUtilization(a, n)) {
      allocated += b.cores_allocated * static_cast<double>(b.end_us - b.begin_us) / 1e6;
      used += b.cores_used * static_cast<double>(b.end_us - b.begin_us) / 1e6;
    }
    EXPECT_NEAR(allocated, 3 * 7.3 + 5 * 1.8 + 14, 1e-6) << n << " bins";
    EXPECT_NEAR(used, 9 + 4 + 14, 1e-6) << n << " bins";
  }
}

TEST(SweepUtilizationTest, NoAttemptsOrOnlyInstantOnesGiveNoBins) {
  EXPECT_TRUE(SweepUtilization({}, 10).empty());
  std::vector<AttemptRecord> instant = {Attempt(3, 3, 1, 0)};
  EXPECT_TRUE(SweepUtilization(instant, 10).empty());
}

}  // namespace
}  // namespace allot
