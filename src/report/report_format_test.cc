#include "report/report_format.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "report/report_charts.h"
#include "report/report_testing.h"

namespace allot {
namespace {

using report_testing::JournalBuilder;
using report_testing::kGiB;

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class ReportFormatTest : public ::testing::Test {
 protected:
  ReportFormatTest() {
    TaskIndex a = j_.Submit("sim-1", {{"project", "epic"}});
    TaskIndex b = j_.Submit("sim-2", {{"project", "a,\"b\""}});
    j_.Start(a, 1, 0, 2, 0, kGiB).End(a, 1, 3600, TaskState::kSucceeded, 3600, 3600, kGiB / 2);
    j_.Start(b, 1, 0, 1).End(b, 1, 1800, TaskState::kFailed, 1800, 900);
    j_.Meta("cores", "4");
    UsageReportOptions o;
    o.by = *ParseGroupBy("project");
    report_ = BuildUsageReport(j_.contents(), o);
  }
  JournalBuilder j_;
  UsageReport report_;
  RenderContext context_{"runs/a/allot.db", std::nullopt};
};

TEST_F(ReportFormatTest, ParseReportFormatKnowsTheFourFormats) {
  EXPECT_EQ(*ParseReportFormat("table"), ReportFormat::kTable);
  EXPECT_EQ(*ParseReportFormat("csv"), ReportFormat::kCsv);
  EXPECT_EQ(*ParseReportFormat("json"), ReportFormat::kJson);
  EXPECT_EQ(*ParseReportFormat("html"), ReportFormat::kHtml);
  EXPECT_EQ(ParseReportFormat("pdf").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ReportFormatTest, CsvHasAHeaderARowPerGroupAndTheTotalLastQuotedPerRfc4180) {
  std::string csv = RenderCsv(report_);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "group,tasks,attempts,succeeded,failed,core_hours_allocated,core_hours_used,"
            "efficiency,gpu_hours,memory_gib_hours_requested,memory_gib_hours_peak,first_start,"
            "last_end,span_seconds,max_rss_bytes,peak_cores,read_bytes,write_bytes,"
            "memory_exceeded");
  EXPECT_EQ(Count(csv, "\n"), 4u);
  EXPECT_NE(csv.find("\nepic,1,1,1,0,2,1,0.5,0,1,0.5,2024-05-01T00:00:00Z,"
                     "2024-05-01T01:00:00Z,3600,536870912,0,0,0,0\n"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find("\n\"a,\"\"b\"\"\",1,1,0,1,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\n(total),2,2,1,1,2.5,1.25,0.5,"), std::string::npos) << csv;
}

TEST_F(ReportFormatTest, JsonHasEveryGroupAndTheTotalAsNumbers) {
  nlohmann::json j = nlohmann::json::parse(RenderJson(report_, context_));
  EXPECT_EQ(j["by"], "project");
  EXPECT_TRUE(j["since"].is_null());
  EXPECT_EQ(j["source"], "runs/a/allot.db");
  EXPECT_EQ(j["capacity_cores"], 4);
  ASSERT_EQ(j["groups"].size(), 2u);
  EXPECT_EQ(j["groups"][0]["group"], "epic");
  EXPECT_DOUBLE_EQ(j["groups"][0]["core_hours_allocated"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(j["groups"][0]["efficiency"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(j["groups"][0]["memory_gib_hours_requested"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(j["groups"][0]["memory_gib_hours_peak"].get<double>(), 0.5);
  EXPECT_EQ(j["groups"][0]["first_start"], "2024-05-01T00:00:00Z");
  EXPECT_EQ(j["total"]["attempts"], 2);
  EXPECT_EQ(j["total"]["failed"], 1);
  EXPECT_DOUBLE_EQ(j["total"]["core_hours_used"].get<double>(), 1.25);
}

TEST_F(ReportFormatTest, TableHasAHeaderEachGroupAndTheTotal) {
  std::string table = RenderTable(report_, context_);
  EXPECT_NE(table.find("Usage by project: 2 attempts of 2 tasks in runs/a/allot.db"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("CORE-H ALLOC"), std::string::npos);
  EXPECT_NE(table.find("\nepic "), std::string::npos) << table;
  EXPECT_NE(table.find("\n(total) "), std::string::npos) << table;
  EXPECT_NE(table.find(" 50% "), std::string::npos) << table;
}

TEST_F(ReportFormatTest, HtmlIsSelfContainedWithTheThreeChartsAndTheTable) {
  std::string html = RenderHtml(report_, context_);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(Count(html, "<script"), 0u);
  EXPECT_EQ(Count(html, "<link"), 0u);
  EXPECT_EQ(Count(html, "src="), 0u);
  EXPECT_EQ(Count(html, "url("), 0u);
  // The only URL is the SVG namespace, once per chart.
  EXPECT_EQ(Count(html, "http"), Count(html, "xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_EQ(Count(html, "<svg id=\"utilization\""), 1u);
  EXPECT_EQ(Count(html, "<svg id=\"usage-by-group\""), 1u);
  EXPECT_EQ(Count(html, "<svg id=\"requested-vs-used\""), 1u);
  EXPECT_EQ(Count(html, "<path class=\"area allocated\""), 1u);
  EXPECT_EQ(Count(html, "<path class=\"area used\""), 1u);
  EXPECT_EQ(Count(html, "<line class=\"capacity\""), 1u);
  EXPECT_EQ(Count(html, "<rect class=\"bar allocated\""), 2u);
  EXPECT_EQ(Count(html, "<rect class=\"bar requested\""), 4u);  // two panels
  EXPECT_NE(html.find("<table id=\"groups\">"), std::string::npos);
  EXPECT_NE(html.find("<tr class=\"total\"><td>(total)</td>"), std::string::npos);
}

TEST_F(ReportFormatTest, HtmlEscapesGroupNames) {
  JournalBuilder j;
  TaskIndex t = j.Submit("x", {{"project", "<script>alert(1)</script>"}});
  j.Start(t, 1, 0, 1).End(t, 1, 10, TaskState::kSucceeded, 10, 10);
  UsageReportOptions o;
  std::string html = RenderHtml(BuildUsageReport(j.contents(), o), context_);
  EXPECT_EQ(Count(html, "<script"), 0u);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
}

TEST_F(ReportFormatTest, HtmlOfAnEmptyJournalSaysSoInEachChart) {
  std::string html = RenderHtml(BuildUsageReport(JournalContents{}, {}), context_);
  EXPECT_EQ(Count(html, "no ended attempts"), 4u);
  EXPECT_EQ(Count(html, "<svg id="), 4u);
}

TEST_F(ReportFormatTest, ChartsShowTheLargestGroupsAndSayHowManyAreLeftOut) {
  JournalBuilder j;
  for (int i = 0; i < kMaxChartGroups + 5; ++i) {
    TaskIndex t = j.Submit("t" + std::to_string(i), {{"project", "p" + std::to_string(i)}});
    j.Start(t, 1, 0, 1).End(t, 1, 10 + i, TaskState::kSucceeded, 10 + i, 1);
  }
  std::string html = RenderHtml(BuildUsageReport(j.contents(), {}), context_);
  EXPECT_EQ(Count(html, "<rect class=\"bar allocated\""), size_t{kMaxChartGroups});
  EXPECT_NE(html.find("20 of 25 groups shown"), std::string::npos);
  EXPECT_EQ(Count(html, "<tr><td>p"), 25u);  // the table has them all
}

}  // namespace
}  // namespace allot
