#include "report/usage_report.h"

#include <gtest/gtest.h>

#include "report/report_testing.h"

namespace allot {
namespace {

using report_testing::At;
using report_testing::JournalBuilder;
using report_testing::kGiB;

UsageReportOptions By(const char* by) {
  UsageReportOptions o;
  o.by = *ParseGroupBy(by);
  o.default_user = "owner";
  return o;
}

const GroupUsage& Group(const UsageReport& r, const std::string& name) {
  for (const GroupUsage& g : r.groups) {
    if (g.group == name) return g;
  }
  ADD_FAILURE() << "no group " << name;
  static GroupUsage none;
  return none;
}

TEST(UsageReportTest, CoreHoursAreCoresTimesWallAndUsedIsCpuTime) {
  JournalBuilder j;
  TaskIndex t = j.Submit("sim", {{"project", "epic"}});
  // 4 cores for 1 h, busy 2 of them: 4 core-hours allocated, 2 used.
  j.Start(t, 1, 0, 4).End(t, 1, 3600, TaskState::kSucceeded, 3600, 7200);
  UsageReport r = BuildUsageReport(j.contents(), By("project"));
  ASSERT_EQ(r.groups.size(), 1u);
  const GroupUsage& g = r.groups[0];
  EXPECT_EQ(g.group, "epic");
  EXPECT_DOUBLE_EQ(g.core_hours_allocated, 4.0);
  EXPECT_DOUBLE_EQ(g.core_hours_used, 2.0);
  EXPECT_DOUBLE_EQ(*g.Efficiency(), 0.5);
  EXPECT_EQ(g.Span(), std::chrono::hours(1));
}

TEST(UsageReportTest, GpuAndMemoryHoursAreHeldAmountTimesWall) {
  JournalBuilder j;
  TaskIndex t = j.Submit("train", {{"project", "ml"}});
  // 2 GPUs and 8 GiB for 30 min, peak RSS 2 GiB.
  j.Start(t, 1, 0, 1, 2, 8 * kGiB).End(t, 1, 1800, TaskState::kSucceeded, 1800, 900, 2 * kGiB);
  const GroupUsage& g = BuildUsageReport(j.contents(), By("project")).groups.at(0);
  EXPECT_DOUBLE_EQ(g.gpu_hours, 1.0);
  EXPECT_DOUBLE_EQ(g.memory_gib_hours_requested, 4.0);
  EXPECT_DOUBLE_EQ(g.memory_gib_hours_peak, 1.0);
}

TEST(UsageReportTest, SumsIoTakesTheLargestPeaksAndCountsMemoryKills) {
  JournalBuilder j;
  TaskIndex t = j.Submit("a", {{"project", "p"}});
  j.Start(t, 1, 0, 2, 0, kGiB).End(t, 1, 10, TaskState::kFailed, 10, 5, 2 * kGiB);
  j.Start(t, 2, 20, 2, 0, 2 * kGiB).End(t, 2, 30, TaskState::kSucceeded, 10, 15, kGiB);
  std::vector<TaskEvent>& events = j.mutable_events();
  events[1].usage->memory_exceeded = true;
  events[1].usage->read_bytes = 100;
  events[1].usage->write_bytes = 10;
  events[1].usage->peak_cores = 1.5;
  events[3].usage->read_bytes = 200;
  events[3].usage->write_bytes = 20;
  events[3].usage->peak_cores = 1.25;
  const GroupUsage& g = BuildUsageReport(j.contents(), By("project")).groups.at(0);
  EXPECT_EQ(g.memory_exceeded, 1);
  EXPECT_EQ(g.read_bytes, 300);
  EXPECT_EQ(g.write_bytes, 30);
  EXPECT_DOUBLE_EQ(g.peak_cores, 1.5);
  EXPECT_EQ(g.max_rss_bytes, 2 * kGiB);
}

TEST(UsageReportTest, CountsTasksOnceAndEveryAttemptThatDidNotSucceedAsFailed) {
  JournalBuilder j;
  TaskIndex a = j.Submit("a", {{"project", "p"}});
  TaskIndex b = j.Submit("b", {{"project", "p"}});
  j.Start(a, 1, 0, 1).End(a, 1, 10, TaskState::kReady, 10, 10);  // retried
  j.Start(a, 2, 20, 1).End(a, 2, 30, TaskState::kSucceeded, 10, 10);
  j.Start(b, 1, 0, 1).Move(b, 1, 5, TaskState::kRunning, TaskState::kLost);
  const GroupUsage& g = BuildUsageReport(j.contents(), By("project")).groups.at(0);
  EXPECT_EQ(g.tasks, 2);
  EXPECT_EQ(g.attempts, 3);
  EXPECT_EQ(g.succeeded, 1);
  EXPECT_EQ(g.failed, 2);
}

TEST(UsageReportTest, GroupsAreLargestFirstAndTheTotalCoversThemAll) {
  JournalBuilder j;
  TaskIndex small = j.Submit("s", {{"scenario", "low"}});
  TaskIndex big = j.Submit("b", {{"scenario", "high"}});
  TaskIndex untagged = j.Submit("u");
  j.Start(small, 1, 0, 1).End(small, 1, 3600, TaskState::kSucceeded, 3600, 3600);
  j.Start(big, 1, 0, 8).End(big, 1, 3600, TaskState::kSucceeded, 3600, 3600);
  j.Start(untagged, 1, 0, 2).End(untagged, 1, 3600, TaskState::kFailed, 3600, 0);
  UsageReport r = BuildUsageReport(j.contents(), By("scenario"));
  ASSERT_EQ(r.groups.size(), 3u);
  EXPECT_EQ(r.groups[0].group, "high");
  EXPECT_EQ(r.groups[1].group, kNoGroup);
  EXPECT_EQ(r.groups[2].group, "low");
  EXPECT_EQ(r.total.group, "(total)");
  EXPECT_EQ(r.total.tasks, 3);
  EXPECT_EQ(r.total.attempts, 3);
  EXPECT_DOUBLE_EQ(r.total.core_hours_allocated, 11.0);
  EXPECT_DOUBLE_EQ(r.total.core_hours_used, 2.0);
  EXPECT_EQ(Group(r, kNoGroup.data()).Efficiency(), 0.0);
}

TEST(UsageReportTest, UserGroupsFallBackToTheJournalsOwner) {
  JournalBuilder j;
  TaskIndex mine = j.Submit("a");
  TaskIndex bobs = j.Submit("b", {{"user", "bob"}});
  j.Start(mine, 1, 0, 1).End(mine, 1, 1, TaskState::kSucceeded, 1, 1);
  j.Start(bobs, 1, 0, 1).End(bobs, 1, 1, TaskState::kSucceeded, 1, 1);
  UsageReport r = BuildUsageReport(j.contents(), By("user"));
  EXPECT_EQ(Group(r, "owner").tasks, 1);
  EXPECT_EQ(Group(r, "bob").tasks, 1);
}

TEST(UsageReportTest, SinceCountsOnlyAttemptsThatEndedAtOrAfterIt) {
  JournalBuilder j;
  TaskIndex t = j.Submit("a", {{"project", "p"}});
  j.Start(t, 1, 0, 1).End(t, 1, 100, TaskState::kReady, 100, 50);
  j.Start(t, 2, 150, 1).End(t, 2, 250, TaskState::kSucceeded, 100, 50);
  UsageReportOptions o = By("project");
  o.since_us = At(200);
  UsageReport r = BuildUsageReport(j.contents(), o);
  ASSERT_EQ(r.groups.size(), 1u);
  EXPECT_EQ(r.groups[0].attempts, 1);
  EXPECT_EQ(r.groups[0].first_start_us, At(150));
  o.since_us = At(300);
  EXPECT_TRUE(BuildUsageReport(j.contents(), o).groups.empty());
}

TEST(UsageReportTest, AnEmptyJournalGivesNoGroupsAZeroTotalAndNoTimeline) {
  UsageReport r = BuildUsageReport(JournalContents{}, By("project"));
  EXPECT_TRUE(r.groups.empty());
  EXPECT_EQ(r.total.attempts, 0);
  EXPECT_FALSE(r.total.Efficiency());
  EXPECT_TRUE(r.utilization.empty());
}

TEST(UsageReportTest, CapacityComesFromTheJournalsCoresMeta) {
  JournalBuilder j;
  j.Meta("task_file", "x.yaml").Meta("cores", "16");
  EXPECT_EQ(BuildUsageReport(j.contents(), By("project")).capacity_cores, 16);
  JournalBuilder bad;
  bad.Meta("cores", "many");
  EXPECT_EQ(BuildUsageReport(bad.contents(), By("project")).capacity_cores, 0);
}

TEST(UsageReportTest, MetricsAreSeriesPerMetricAndGroupOverStepsOrSeconds) {
  JournalBuilder j;
  TaskIndex a = j.Submit("a", {{"scenario", "s1"}});
  TaskIndex b = j.Submit("b", {{"scenario", "s2"}});
  j.Metric(a, "loss", 0.9, 1, 10).Metric(b, "loss", 0.8, 1, 11).Metric(a, "loss", 0.5, 2, 12);
  j.Metric(a, "rate", 3, std::nullopt, 10).Metric(a, "rate", 4, std::nullopt, 12.5);
  UsageReport r = BuildUsageReport(j.contents(), By("scenario"));
  ASSERT_EQ(r.metrics.size(), 3u);
  EXPECT_EQ(r.metrics[0].metric, "loss");
  EXPECT_EQ(r.metrics[0].group, "s1");
  EXPECT_TRUE(r.metrics[0].by_step);
  EXPECT_EQ(r.metrics[0].points, (std::vector<std::pair<double, double>>{{1, 0.9}, {2, 0.5}}));
  EXPECT_EQ(r.metrics[1].group, "s2");
  EXPECT_EQ(r.metrics[2].metric, "rate");
  EXPECT_FALSE(r.metrics[2].by_step);  // no steps: seconds since its first point
  EXPECT_EQ(r.metrics[2].points, (std::vector<std::pair<double, double>>{{0, 3}, {2.5, 4}}));
  UsageReportOptions since = By("scenario");
  since.since_us = 12'000'000;
  EXPECT_EQ(BuildUsageReport(j.contents(), since).metrics.size(), 2u);  // loss s1, rate
}

}  // namespace
}  // namespace allot
