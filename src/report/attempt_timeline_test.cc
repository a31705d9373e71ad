// The HTML report's attempt timeline (issue 11 point 11): every ended attempt drawn where it
// ran, marked by how it ended (a retried timeout is a timeout, not the task's next state).
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "report/report_charts.h"
#include "report/report_format.h"
#include "report/report_testing.h"

namespace allot {
namespace {

using report_testing::JournalBuilder;

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

UsageReport Campaign() {
  JournalBuilder j;
  TaskIndex ok = j.Submit("ok");
  TaskIndex flaky = j.Submit("flaky");
  TaskIndex slow = j.Submit("slow");
  TaskIndex gone = j.Submit("gone");
  j.Start(ok, 1, 0, 1).End(ok, 1, 5, TaskState::kSucceeded, 5, 4);
  // flaky: fails, is retried (-> ready), then succeeds.
  j.Start(flaky, 1, 0, 1).End(flaky, 1, 2, TaskState::kReady, 2, 1);
  j.Start(flaky, 2, 2, 1).End(flaky, 2, 6, TaskState::kSucceeded, 4, 3);
  // slow: its time limit ends it; retried.
  j.Start(slow, 1, 1, 1).End(slow, 1, 9, TaskState::kReady, 8, 8);
  j.mutable_events().back().usage->timed_out = true;
  j.mutable_events().back().reason = "exceeded its time limit of 8s";
  j.Start(gone, 1, 3, 1).Move(gone, 1, 7, TaskState::kRunning, TaskState::kLost);
  UsageReportOptions o;
  o.by = *ParseGroupBy("project");
  return BuildUsageReport(j.contents(), o);
}

TEST(AttemptTimelineTest, EveryAttemptIsABarClassedByHowItEnded) {
  const UsageReport report = Campaign();
  ASSERT_EQ(report.timeline.size(), 5u);
  EXPECT_EQ(report.timeline_omitted, 0);
  const std::string svg = AttemptTimelineSvg(report);
  EXPECT_EQ(Count(svg, "<rect class=\"attempt "), 5u);
  EXPECT_EQ(Count(svg, "<rect class=\"attempt succeeded\""), 2u);
  EXPECT_EQ(Count(svg, "<rect class=\"attempt failed\" data-task=\"flaky\""), 1u)
      << "the retried attempt is a failure, not 'ready'";
  EXPECT_NE(svg.find("<rect class=\"attempt timeout\" data-task=\"slow\""), std::string::npos);
  EXPECT_NE(svg.find("<rect class=\"attempt lost\" data-task=\"gone\""), std::string::npos);
  EXPECT_NE(svg.find("slow attempt 1: timeout after 8s (exceeded its time limit of 8s)"),
            std::string::npos)
      << svg;
  // Overlapping attempts get lanes of their own: at most 4 ran at once.
  std::smatch m;
  std::set<std::string> ys;
  const std::regex y("class=\"attempt [a-z-]+\" data-task=\"[^\"]+\" x=\"[^\"]+\" y=\"([^\"]+)\"");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), y); it != std::sregex_iterator();
       ++it) {
    ys.insert((*it)[1].str());
  }
  EXPECT_EQ(ys.size(), 4u);
  // The legend counts each kind of end.
  EXPECT_NE(svg.find(">succeeded 2<"), std::string::npos);
  EXPECT_NE(svg.find(">timeout 1<"), std::string::npos);
}

TEST(AttemptTimelineTest, TheHtmlPageHasTheTimeline) {
  const std::string html = RenderHtml(Campaign(), {});
  EXPECT_NE(html.find("<svg id=\"attempts\""), std::string::npos);
  EXPECT_NE(html.find("svg .attempt.timeout"), std::string::npos) << "styled";
}

TEST(AttemptTimelineTest, ManyAttemptsKeepEveryFailureFirst) {
  JournalBuilder j;
  for (int i = 0; i < static_cast<int>(kMaxTimelineAttempts) + 10; ++i) {
    TaskIndex t = j.Submit("t" + std::to_string(i));
    j.Start(t, 1, i, 1).End(t, 1, i + 0.5, i % 100 == 7 ? TaskState::kFailed
                                                        : TaskState::kSucceeded,
                            0.5, 0.1);
  }
  UsageReportOptions o;
  o.by = *ParseGroupBy("project");
  const UsageReport report = BuildUsageReport(j.contents(), o);
  EXPECT_EQ(report.timeline.size(), kMaxTimelineAttempts);
  EXPECT_EQ(report.timeline_omitted, 10);
  size_t failed = 0;
  for (const AttemptSpan& a : report.timeline) failed += a.end == AttemptEnd::kFailed;
  EXPECT_EQ(failed, 21u) << "every failure is kept";
  EXPECT_NE(AttemptTimelineSvg(report).find("10 more attempts not drawn"), std::string::npos);
}

}  // namespace
}  // namespace allot
