// What people read in `allot report` (the table and the HTML page), issue 11 point 11: amounts
// in a unit that fits the campaign (a short run reads "core-seconds", never "1.6e-05
// core-hours"), times in local time as the CLI prints them, and charts that say something
// when every attempt falls in one group.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

#include "report/report_format.h"
#include "report/report_testing.h"
#include "report/report_time.h"
#include "report/svg_chart.h"
#include "report/time_unit.h"

namespace allot {
namespace {

using report_testing::JournalBuilder;
using report_testing::kEpochUs;

// Sets TZ for one test and restores it.
class ScopedTimeZone {
 public:
  explicit ScopedTimeZone(const char* tz) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    setenv("TZ", tz, 1);
    tzset();
  }
  ~ScopedTimeZone() {
    if (old_) {
      setenv("TZ", old_->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }

 private:
  std::optional<std::string> old_;
};

// Three tasks of project "demo", 0.2 s each on one core: 0.6 core-seconds in all.
UsageReport ShortDemo(const std::string& by) {
  JournalBuilder j;
  for (int i = 0; i < 3; ++i) {
    TaskIndex t = j.Submit("sim-" + std::to_string(i), {{"project", "demo"}});
    j.Start(t, 1, i, 1).End(t, 1, i + 0.2, TaskState::kSucceeded, 0.2, 0.1);
  }
  UsageReportOptions o;
  o.by = *ParseGroupBy(by);
  return BuildUsageReport(j.contents(), o);
}

TEST(TimeUnitTest, HoursMinutesOrSecondsByMagnitude) {
  EXPECT_EQ(TimeUnitFor(2.5).short_name, "h");
  EXPECT_EQ(TimeUnitFor(1).long_name, "hours");
  EXPECT_EQ(TimeUnitFor(0.5).long_name, "minutes");
  EXPECT_DOUBLE_EQ(TimeUnitFor(0.5).Of(0.5), 30);
  EXPECT_EQ(TimeUnitFor(1.6e-5).long_name, "seconds");
  EXPECT_NEAR(TimeUnitFor(1.6e-5).Of(1.6e-5), 0.0576, 1e-9);
}

TEST(ReportPeopleTest, AShortRunIsInCoreSecondsWithoutExponents) {
  const UsageReport report = ShortDemo("project");
  ASSERT_EQ(ReportTimeUnit(report).long_name, "seconds");
  const std::string html = RenderHtml(report, {});
  EXPECT_EQ(html.find("e-0"), std::string::npos) << "no 1.6e-05-style numbers";
  EXPECT_NE(html.find(">0.6</div><div class=\"k\">core-seconds allocated"), std::string::npos);
  EXPECT_NE(html.find("<th>core-s allocated</th>"), std::string::npos);
  const std::string table = RenderTable(report, {});
  EXPECT_NE(table.find("CORE-S ALLOC"), std::string::npos) << table;
  EXPECT_EQ(table.find("e-0"), std::string::npos) << table;
  // The machine formats stay in hours.
  EXPECT_NE(RenderCsv(report).find("core_hours_allocated"), std::string::npos);
}

TEST(ReportPeopleTest, TimesAreLocalWithTheirZoneAsTheCliPrintsThem) {
  ScopedTimeZone berlin("Europe/Berlin");
  EXPECT_EQ(FormatLocalTimestamp(kEpochUs), "2024-05-01 02:00:00 CEST");
  EXPECT_EQ(TimeTickLabel(kEpochUs, 3600LL * 1'000'000), "02:00");
  EXPECT_EQ(LocalZoneName(kEpochUs), "CEST");
  // A day step falls on local midnight (22:00 UTC the day before).
  const int64_t day = 86400LL * 1'000'000;
  std::vector<int64_t> ticks = TimeTicks(kEpochUs, kEpochUs + 10 * day, 8);
  ASSERT_FALSE(ticks.empty());
  EXPECT_EQ((ticks[0] - kEpochUs) % day, 22LL * 3600 * 1'000'000);
  const std::string html = RenderHtml(ShortDemo("project"), {"j.db", kEpochUs});
  EXPECT_NE(html.find("Attempts ran from 2024-05-01 02:00:00 CEST"), std::string::npos);
  EXPECT_NE(html.find("Generated 2024-05-01 02:00:00 CEST"), std::string::npos);
  EXPECT_NE(html.find("time (CEST)"), std::string::npos);
  EXPECT_EQ(html.find("(UTC)"), std::string::npos);
}

TEST(ReportPeopleTest, WithOneGroupTheChartsShowItsTasks) {
  const UsageReport by_project = ShortDemo("project");
  ASSERT_EQ(by_project.groups.size(), 1u);
  const UsageReport by_task = ShortDemo("task");
  ASSERT_EQ(by_task.groups.size(), 3u);
  RenderContext context;
  context.by_task = &by_task;
  const std::string html = RenderHtml(by_project, context);
  EXPECT_NE(html.find("id=\"one-group\""), std::string::npos);
  EXPECT_NE(html.find("Every attempt is in one project (demo)"), std::string::npos);
  for (const char* id : {"sim-0", "sim-1", "sim-2"}) {
    EXPECT_NE(html.find(std::string("rect class=\"bar allocated\" data-group=\"") + id),
              std::string::npos)
        << id;
  }
  // The table keeps the report's own grouping.
  EXPECT_NE(html.find("<th>project</th>"), std::string::npos);
  // Without the breakdown (or with several groups) the charts are the report's.
  EXPECT_EQ(RenderHtml(by_project, {}).find("one-group"), std::string::npos);
}

TEST(ReportPeopleTest, GroupingByTaskIsOneGroupPerTask) {
  ASSERT_TRUE(ParseGroupBy("task").ok());
  EXPECT_EQ(ParseGroupBy("task")->Name(), "task");
  EXPECT_NE(ParseGroupBy("tasks").status().message().find("task or tag:KEY"), std::string::npos);
}

}  // namespace
}  // namespace allot
