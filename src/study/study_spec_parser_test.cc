#include "study/study_spec_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace allot {
namespace {

using ::testing::HasSubstr;

constexpr const char* kGood = R"(study: detector-design
space:
  thickness: {type: float, low: 1.0, high: 10.0, log: true}
  layers:    {type: int, low: 2, high: 12}
  material:  {type: choice, values: [lead, tungsten]}
objectives:
  - {name: resolution, goal: minimize}
  - {name: cost, goal: maximize}
seed: 7
trials: 40
parallel: 4
trial:
  command: python3 sim.py --thickness {thickness} --layers {layers}
)";

std::vector<Diagnostic> Problems(const std::string& text) {
  std::vector<Diagnostic> d;
  Result<StudySpec> spec = ParseStudySpec("study.yaml", text, &d, nullptr);
  EXPECT_FALSE(spec.ok());
  return d;
}

TEST(StudySpecParserTest, ReadsEveryField) {
  std::vector<Diagnostic> d;
  Result<StudySpec> spec = ParseStudySpec("study.yaml", kGood, &d, nullptr);
  ASSERT_TRUE(spec.ok()) << (d.empty() ? spec.status().message() : d[0].ToString());
  EXPECT_EQ(spec->name, "detector-design");
  ASSERT_EQ(spec->space.size(), 3u);
  EXPECT_EQ(spec->space[0].type, ParameterType::kFloat);
  EXPECT_TRUE(spec->space[0].log);
  EXPECT_EQ(spec->space[1].high, 12);
  EXPECT_EQ(spec->space[2].values.size(), 2u);
  ASSERT_EQ(spec->objectives.size(), 2u);
  EXPECT_EQ(spec->objectives[1].goal, Goal::kMaximize);
  EXPECT_EQ(spec->sampler, SamplerKind::kSobol);
  EXPECT_EQ(spec->seed, 7u);
  EXPECT_EQ(spec->trials, 40);
  EXPECT_EQ(spec->parallel, 4);
  EXPECT_FALSE(spec->trial_is_workflow());
  EXPECT_EQ(spec->trial_line, 12);
}

TEST(StudySpecParserTest, NormalizedFormReadsBackTheSame) {
  Result<StudySpec> spec = ParseStudySpec("study.yaml", kGood, nullptr, nullptr);
  ASSERT_TRUE(spec.ok());
  const std::string json = StudySpecToJson(*spec);
  Result<StudySpec> again = StudySpecFromJson(json);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(StudySpecToJson(*again), json);
}

TEST(StudySpecParserTest, ProblemsNameLineAndField) {
  std::string text = kGood;
  text.replace(text.find("high: 10.0"), 10, "high: one");
  text.replace(text.find("seed:"), 5, "sede:");
  std::vector<Diagnostic> d = Problems(text);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].line, 3);
  EXPECT_EQ(d[0].field, "space.thickness.high");
  EXPECT_THAT(d[0].message, HasSubstr("finite number"));
  EXPECT_EQ(d[1].line, 9);
  EXPECT_EQ(d[1].field, "sede");
  EXPECT_THAT(d[1].message, HasSubstr("did you mean 'seed'?"));
  EXPECT_EQ(d[1].ToString(), "study.yaml:9: field 'sede': unknown key; expected study, space, "
                             "objectives, sampler, seed, trials, points, parallel, trial or "
                             "scenarios (did you mean 'seed'?)");
}

TEST(StudySpecParserTest, BadGoalTypeAndRangeAreEachNamed) {
  std::vector<Diagnostic> d = Problems(R"(study: s
space:
  x: {type: flaot, low: 0, high: 1}
  n: {type: int, low: 5, high: 2}
  c: {type: choice, values: []}
objectives: [{name: f, goal: minimise}]
trials: 0
trial: {command: "true"}
)");
  std::vector<std::string> seen;
  for (const Diagnostic& p : d) seen.push_back(std::to_string(p.line) + " " + p.field);
  EXPECT_THAT(seen, ::testing::ElementsAre("3 space.x.type", "4 space.n.high",
                                           "5 space.c.values", "6 objectives[0].goal",
                                           "7 trials"));
  EXPECT_THAT(d[0].message, HasSubstr("did you mean 'float'?"));
  EXPECT_THAT(d[3].message, HasSubstr("did you mean 'minimize'?"));
}

TEST(StudySpecParserTest, MissingRequiredKeysAndTrialIdsAreRefused) {
  std::vector<Diagnostic> d = Problems("study: s\ntrial: {id: x, command: run}\n");
  std::vector<std::string> fields;
  for (const Diagnostic& p : d) fields.push_back(p.field);
  EXPECT_THAT(fields, ::testing::UnorderedElementsAre("space", "objectives", "trials", "trial.id"));
}

TEST(StudySpecParserTest, GridCountsItsPointsAndRefusesADisagreeingBudget) {
  const std::string grid = R"(study: g
space:
  x: {type: float, low: 0, high: 1}
  n: {type: int, low: 1, high: 3}
  c: {type: choice, values: [a, b]}
objectives: [{name: f, goal: minimize}]
sampler: grid
points: 4
trial: {command: "true"}
)";
  Result<StudySpec> spec = ParseStudySpec("g.yaml", grid, nullptr, nullptr);
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->trials, 4 * 3 * 2);
  std::vector<Diagnostic> d = Problems(grid + "trials: 10\n");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].field, "trials");
  EXPECT_THAT(d[0].message, HasSubstr("the grid has 24 points"));
}

TEST(StudySpecParserTest, TrialWorkflowNeedsLocalIdsAndNoSweep) {
  std::vector<Diagnostic> d = Problems(R"(study: w
space: {x: {type: float, low: 0, high: 1}}
objectives: [{name: f, goal: minimize}]
trials: 2
trial:
  tasks:
    - {id: sim, command: "true"}
    - {id: sim, command: "true", sweep: {grid: {a: [1]}}}
)");
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].field, "trial.tasks[1].id");
  EXPECT_EQ(d[0].line, 8);
  EXPECT_EQ(d[1].field, "trial.tasks[1].sweep");
}

TEST(StudySpecParserTest, TagsAndResourcesTheStudyMergesIntoMustBeMappings) {
  std::vector<Diagnostic> d = Problems(R"(study: m
space: {x: {type: float, low: 0, high: 1}}
objectives: [{name: f, goal: minimize}]
trials: 2
trial:
  command: "true"
  tags: [a, b]
  resources: 3
)");
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].field, "trial.tags");
  EXPECT_EQ(d[0].line, 7);
  EXPECT_EQ(d[1].field, "trial.resources");
}

TEST(StudySpecParserTest, SyntaxErrorNamesItsLine) {
  std::vector<Diagnostic> d = Problems("study: s\nspace: {x: [\n");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_GT(d[0].line, 0);
  EXPECT_THAT(d[0].message, HasSubstr("YAML syntax error"));
}

TEST(StudySpecParserTest, BadScenariosBlockIsChecked) {
  std::string text = kGood;
  text += "scenarios: {policy: ahsa, metric: loss}\n";
  std::vector<Diagnostic> d = Problems(text);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].field, "scenarios.policy");
}

}  // namespace
}  // namespace allot
