#include "worker/metrics_outbox.h"

#include <gtest/gtest.h>

#include <set>

namespace allot {
namespace {

RunMetric Point(uint64_t run, double value) {
  RunMetric m;
  m.run = run;
  m.point.name = "loss";
  m.point.value = value;
  m.point.step = static_cast<int64_t>(value);
  m.point.time_us = 1000 + static_cast<int64_t>(value);
  return m;
}

TEST(MetricsOutboxTest, NumbersEachAttemptsMetricsFromOne) {
  MetricsOutbox box;
  EXPECT_EQ(box.Add(Point(7, 1)).index, 1);
  EXPECT_EQ(box.Add(Point(9, 1)).index, 1);
  MetricReport r = box.Add(Point(7, 2));
  EXPECT_EQ(r.index, 2);
  EXPECT_EQ(r.execution, 7u);
  EXPECT_EQ(r.name, "loss");
  EXPECT_EQ(r.step, 2);
  EXPECT_EQ(r.time_us, 1002);
}

TEST(MetricsOutboxTest, ResendsEverythingOfTheAttemptsStillWantedInOrderAndForgetsTheRest) {
  MetricsOutbox box;
  box.Add(Point(9, 1));
  box.Add(Point(7, 1));
  box.Add(Point(7, 2));
  box.Add(Point(8, 1));
  std::set<uint64_t> wanted = {7, 9};
  std::vector<MetricReport> again = box.Resend([&](uint64_t e) { return wanted.count(e) > 0; });
  ASSERT_EQ(again.size(), 3u);
  EXPECT_EQ(again[0].execution, 7u);
  EXPECT_EQ(again[0].index, 1);
  EXPECT_EQ(again[1].index, 2);
  EXPECT_EQ(again[2].execution, 9u);
  EXPECT_EQ(box.attempts(), 2u);
  // Numbering goes on after a resend.
  EXPECT_EQ(box.Add(Point(7, 3)).index, 3);
}

TEST(MetricsOutboxTest, KeepsOnlyTheLatestOfAVeryLongAttemptButNumbersOn) {
  MetricsOutbox box;
  const size_t n = MetricsOutbox::kMaxKeptPerAttempt + 10;
  for (size_t i = 1; i <= n; ++i) box.Add(Point(1, static_cast<double>(i)));
  std::vector<MetricReport> again = box.Resend([](uint64_t) { return true; });
  ASSERT_FALSE(again.empty());
  EXPECT_LE(again.size(), MetricsOutbox::kMaxKeptPerAttempt);
  EXPECT_EQ(again.back().index, static_cast<int64_t>(n));
  for (size_t i = 1; i < again.size(); ++i) EXPECT_EQ(again[i].index, again[i - 1].index + 1);
}

}  // namespace
}  // namespace allot
