#include "report/study_chart.h"

#include <gtest/gtest.h>

#include <string>

#include "study/study_spec_parser.h"

namespace allot {
namespace {

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

StudyView View(const std::string& objectives, const std::vector<std::vector<double>>& values) {
  const std::string text = "study: s\nspace: {x: {type: float, low: 0, high: 1}}\n"
                           "objectives: " + objectives + "\ntrials: " +
                           std::to_string(values.size()) + "\ntrial: {command: x}\n";
  StudyView view;
  view.spec = *ParseStudySpec("s.yaml", text, nullptr, nullptr);
  for (size_t i = 0; i < values.size(); ++i) {
    TrialOutcome t;
    t.name = TrialName(static_cast<int>(i), static_cast<int>(values.size()));
    t.params = {0.5};
    t.state = values[i].empty() ? TrialState::kFailed : TrialState::kDone;
    for (size_t k = 0; k < view.spec.objectives.size(); ++k) {
      t.objectives.push_back(values[i].empty() ? std::nullopt : std::optional(values[i][k]));
    }
    view.results.trials.push_back(t);
  }
  for (TrialState s : kAllTrialStates) view.results.counts[s] = 0;
  return view;
}

TEST(StudyChartTest, OneObjectiveDrawsEachDoneTrialAndTheBestSoFar) {
  StudyView view = View("[{name: f, goal: minimize}]", {{3}, {}, {1}, {2}});
  view.results.best = 2;
  const std::string svg = StudySvg(view);
  EXPECT_EQ(svg.rfind("<svg id=\"study\"", 0), 0u);
  EXPECT_EQ(Count(svg, "<circle class=\"trial"), 3u);  // the failed trial has no value
  EXPECT_EQ(Count(svg, "class=\"trial best\""), 1u);
  EXPECT_EQ(Count(svg, "class=\"best-so-far\""), 1u);
  EXPECT_NE(svg.find("<title>t0002: f=1 (x=0.5)</title>"), std::string::npos);
}

TEST(StudyChartTest, TwoObjectivesHighlightTheParetoFront) {
  StudyView view = View("[{name: a, goal: minimize}, {name: b, goal: maximize}]",
                        {{1, 1}, {2, 3}, {3, 2}, {0.5, 0.5}});
  view.results.pareto_front = {3, 0, 1};
  const std::string svg = StudySvg(view);
  EXPECT_EQ(Count(svg, "<circle class=\"trial front\""), 3u);
  EXPECT_EQ(Count(svg, "<circle class=\"trial\""), 1u);
  EXPECT_EQ(Count(svg, "class=\"front\""), 1u);
  EXPECT_NE(svg.find("b (higher is better)"), std::string::npos);
  EXPECT_NE(StudySectionHtml(view).find("<table id=\"study-best\">"), std::string::npos);
}

TEST(StudyChartTest, NoDoneTrialSaysSo) {
  StudyView view = View("[{name: f, goal: minimize}]", {{}, {}});
  EXPECT_NE(StudySvg(view).find("no trial done yet"), std::string::npos);
}

}  // namespace
}  // namespace allot
