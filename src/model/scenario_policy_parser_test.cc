// The `scenarios:` block of a workflow file: what it reads into, and what users see for every
// kind of mistake in it (file, line, field).
#include "model/scenario_policy_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "model/task_file.h"
#include "model/task_file_testing.h"

namespace allot {
namespace {

constexpr const char* kTasks = "tasks:\n  - {id: a, command: x}\n";

struct Loaded {
  bool ok = false;
  std::optional<ScenarioPolicySpec> scenarios;
  std::string report;  // FormatDiagnostics of the problems
};

Loaded Load(const std::string& file, const std::string& text) {
  Loaded out;
  LoadOptions options;
  options.base_dir = "/base";
  std::vector<Diagnostic> diagnostics;
  Result<LoadedTasks> r = ParseTaskFile(file, text, options, &diagnostics);
  out.ok = r.ok();
  if (r.ok()) out.scenarios = r->scenarios;
  out.report = FormatDiagnostics(diagnostics);
  return out;
}

// The YAML `block` (indented under `scenarios:` on line 1) before a valid task list.
Loaded LoadBlock(const std::string& block) {
  return Load("w.yaml", "scenarios:\n" + block + kTasks);
}

TEST(ScenarioPolicyParserTest, AnAshaBlockTakesTheDefaults) {
  Loaded out = LoadBlock("  policy: asha\n  metric: loss\n");
  ASSERT_TRUE(out.ok) << out.report;
  ScenarioPolicySpec expected;
  expected.kind = ScenarioPolicySpec::Kind::kAsha;
  expected.metric = "loss";
  ASSERT_TRUE(out.scenarios.has_value());
  EXPECT_EQ(*out.scenarios, expected);
  EXPECT_FALSE(out.scenarios->maximize);
  EXPECT_EQ(out.scenarios->reduction_factor, 3);
  EXPECT_EQ(out.scenarios->grace, 1);
  EXPECT_EQ(out.scenarios->max_step, std::nullopt);
  EXPECT_EQ(out.scenarios->action, ScenarioPolicySpec::Action::kStop);
}

TEST(ScenarioPolicyParserTest, EveryAshaKeyIsRead) {
  Loaded out = LoadBlock(
      "  policy: asha\n  metric: val/acc:top-1.x_\n  mode: max\n  reduction_factor: 2.5\n"
      "  max_step: 100\n  grace: 4\n  action: deprioritize\n");
  ASSERT_TRUE(out.ok) << out.report;
  ScenarioPolicySpec expected;
  expected.metric = "val/acc:top-1.x_";
  expected.maximize = true;
  expected.reduction_factor = 2.5;
  expected.grace = 4;
  expected.max_step = 100;
  expected.action = ScenarioPolicySpec::Action::kDeprioritize;
  EXPECT_EQ(out.scenarios, expected);
}

TEST(ScenarioPolicyParserTest, APromiseBlockFromJson) {
  Loaded out = Load("w.json", R"({"name": "n",
 "scenarios": {"policy": "promise", "score": {"accuracy": 1, "loss": -0.5},
               "priority_range": 1000, "mode": "max"},
 "tasks": [{"id": "a", "command": "x"}]})");
  ASSERT_TRUE(out.ok) << out.report;
  ScenarioPolicySpec expected;
  expected.kind = ScenarioPolicySpec::Kind::kPromise;
  expected.maximize = true;
  expected.score = {{"accuracy", 1}, {"loss", -0.5}};
  expected.priority_range = 1000;
  EXPECT_EQ(out.scenarios, expected);
}

TEST(ScenarioPolicyParserTest, NoBlockANullBlockOrNullKeysMeanNotWritten) {
  EXPECT_EQ(Load("w.yaml", kTasks).scenarios, std::nullopt);
  Loaded null_block = Load("w.yaml", std::string("scenarios:\n") + kTasks);
  EXPECT_TRUE(null_block.ok) << null_block.report;
  EXPECT_EQ(null_block.scenarios, std::nullopt);
  Loaded null_keys = LoadBlock("  policy: asha\n  metric: loss\n  grace: null\n  score: null\n");
  ASSERT_TRUE(null_keys.ok) << null_keys.report;
  EXPECT_EQ(null_keys.scenarios->grace, 1);
  // The allocation-scheduler format has no top level.
  EXPECT_EQ(Load("t.json", R"([{"id": "a", "command": "x"}])").scenarios, std::nullopt);
}

TEST(ScenarioPolicyParserTest, AMisspelledTopLevelKeySuggestsScenarios) {
  Loaded out = Load("w.yaml", std::string("scenario:\n  policy: asha\n") + kTasks);
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.report,
            "w.yaml:1: field 'scenario': unknown top-level key; expected tasks, defaults, name, "
            "description, scenarios (did you mean 'scenarios'?)\n");
}

TEST(ScenarioPolicyParserTest, ABlockThatIsNotAMapping) {
  Loaded out = Load("w.yaml", std::string("scenarios: asha\n") + kTasks);
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.report,
            "w.yaml:1: field 'scenarios': must be a mapping with policy (asha or promise) and "
            "its settings (got \"asha\")\n");
}

TEST(ScenarioPolicyParserTest, PolicyIsRequiredAndChecked) {
  EXPECT_EQ(LoadBlock("  metric: loss\n").report,
            "w.yaml:1: field 'scenarios.policy': missing 'policy': asha (successive halving on "
            "one metric) or promise (priority by a weighted score)\n");
  EXPECT_EQ(LoadBlock("  metric: loss\n  policy: ahsa\n").report,
            "w.yaml:3: field 'scenarios.policy': must be asha or promise (got \"ahsa\") (did you "
            "mean 'asha'?)\n");
  EXPECT_EQ(LoadBlock("  policy: 3\n").report,
            "w.yaml:2: field 'scenarios.policy': must be asha or promise (got 3)\n");
  EXPECT_EQ(LoadBlock("  policy: successive_halving\n  metric: loss\n").report,
            "w.yaml:2: field 'scenarios.policy': must be asha or promise (got "
            "\"successive_halving\") (did you mean 'asha'?)\n");
}

TEST(ScenarioPolicyParserTest, ModeIsMinOrMax) {
  EXPECT_EQ(LoadBlock("  policy: asha\n  metric: loss\n  mode: maximize\n").report,
            "w.yaml:4: field 'scenarios.mode': must be min or max (got \"maximize\") (did you "
            "mean 'max'?)\n");
  EXPECT_EQ(LoadBlock("  policy: asha\n  metric: loss\n  mode: [min]\n").report,
            "w.yaml:4: field 'scenarios.mode': must be min or max (got a list)\n");
}

TEST(ScenarioPolicyParserTest, AshaNeedsAValidMetricName) {
  EXPECT_EQ(LoadBlock("  policy: asha\n").report,
            "w.yaml:1: field 'scenarios.metric': missing 'metric': the metric ASHA compares at "
            "each rung\n");
  EXPECT_EQ(LoadBlock("  policy: asha\n  metric: null\n").report,
            "w.yaml:3: field 'scenarios.metric': missing 'metric': the metric ASHA compares at "
            "each rung\n");
  EXPECT_EQ(LoadBlock("  policy: asha\n  metric: val loss\n").report,
            "w.yaml:3: field 'scenarios.metric': metric name \"val loss\": \" \" is not allowed "
            "(letters, digits and _ . : / - are)\n");
  EXPECT_EQ(LoadBlock("  policy: asha\n  metric: '1loss'\n").report,
            "w.yaml:3: field 'scenarios.metric': metric name \"1loss\" must start with a letter "
            "or '_'\n");
  EXPECT_EQ(LoadBlock("  policy: asha\n  metric: ''\n").report,
            "w.yaml:3: field 'scenarios.metric': a metric name must not be empty\n");
  EXPECT_EQ(LoadBlock("  policy: asha\n  metric: " + std::string(65, 'm') + "\n").report,
            "w.yaml:3: field 'scenarios.metric': metric name \"" + std::string(37, 'm') +
                "...\" is 65 characters (at most 64)\n");
  EXPECT_TRUE(LoadBlock("  policy: asha\n  metric: " + std::string(64, 'm') + "\n").ok);
  EXPECT_EQ(LoadBlock("  policy: asha\n  metric: 5\n").report,
            "w.yaml:3: field 'scenarios.metric': must be a metric name such as loss (got 5)\n");
}

TEST(ScenarioPolicyParserTest, ReductionFactorIsANumberOfAtLeastTwo) {
  EXPECT_EQ(LoadBlock("  policy: asha\n  metric: loss\n  reduction_factor: 1\n").report,
            "w.yaml:4: field 'scenarios.reduction_factor': must be a number >= 2 (got 1)\n");
  EXPECT_EQ(LoadBlock("  policy: asha\n  metric: loss\n  reduction_factor: 1.99\n").report,
            "w.yaml:4: field 'scenarios.reduction_factor': must be a number >= 2 (got 1.99)\n");
  EXPECT_EQ(LoadBlock("  policy: asha\n  metric: loss\n  reduction_factor: three\n").report,
            "w.yaml:4: field 'scenarios.reduction_factor': must be a number >= 2 (got "
            "\"three\")\n");
  EXPECT_EQ(LoadBlock("  policy: asha\n  metric: loss\n  reduction_factor: .inf\n").report,
            "w.yaml:4: field 'scenarios.reduction_factor': must be a number >= 2 (got inf)\n");
  EXPECT_TRUE(LoadBlock("  policy: asha\n  metric: loss\n  reduction_factor: 2\n").ok);
}

TEST(ScenarioPolicyParserTest, GraceAndMaxStepAreIntegersInOrder) {
  EXPECT_EQ(LoadBlock("  policy: asha\n  metric: loss\n  grace: 0\n").report,
            "w.yaml:4: field 'scenarios.grace': must be an integer >= 1 (got 0)\n");
  EXPECT_EQ(LoadBlock("  policy: asha\n  metric: loss\n  grace: 1.5\n").report,
            "w.yaml:4: field 'scenarios.grace': must be an integer >= 1 (got 1.5)\n");
  // max_step is checked against grace wherever grace is written.
  EXPECT_EQ(LoadBlock("  policy: asha\n  metric: loss\n  max_step: 3\n  grace: 5\n").report,
            "w.yaml:4: field 'scenarios.max_step': must be an integer >= grace (5) (got 3)\n");
  EXPECT_EQ(LoadBlock("  policy: asha\n  metric: loss\n  max_step: 0\n").report,
            "w.yaml:4: field 'scenarios.max_step': must be an integer >= grace (1) (got 0)\n");
  EXPECT_EQ(LoadBlock("  policy: asha\n  metric: loss\n  max_step: ten\n").report,
            "w.yaml:4: field 'scenarios.max_step': must be an integer >= grace (1) (got "
            "\"ten\")\n");
  Loaded equal = LoadBlock("  policy: asha\n  metric: loss\n  max_step: 5\n  grace: 5\n");
  ASSERT_TRUE(equal.ok) << equal.report;
  EXPECT_EQ(equal.scenarios->max_step, 5);
}

TEST(ScenarioPolicyParserTest, ActionIsStopOrDeprioritize) {
  EXPECT_EQ(LoadBlock("  policy: asha\n  metric: loss\n  action: kill\n").report,
            "w.yaml:4: field 'scenarios.action': must be stop or deprioritize (got \"kill\")\n");
  EXPECT_EQ(LoadBlock("  policy: asha\n  metric: loss\n  action: prune\n").report,
            "w.yaml:4: field 'scenarios.action': must be stop or deprioritize (got \"prune\") "
            "(did you mean 'stop'?)\n");
  EXPECT_EQ(LoadBlock("  policy: asha\n  metric: loss\n  action: deprioritise\n").report,
            "w.yaml:4: field 'scenarios.action': must be stop or deprioritize (got "
            "\"deprioritise\") (did you mean 'deprioritize'?)\n");
}

TEST(ScenarioPolicyParserTest, PromiseNeedsANonEmptyScoreOfFiniteWeights) {
  EXPECT_EQ(LoadBlock("  policy: promise\n").report,
            "w.yaml:1: field 'scenarios.score': missing 'score': the weights of the metrics, "
            "e.g. {accuracy: 1, loss: -0.5}\n");
  EXPECT_EQ(LoadBlock("  policy: promise\n  score: {}\n").report,
            "w.yaml:3: field 'scenarios.score': must name at least one metric with its weight, "
            "e.g. {accuracy: 1}\n");
  EXPECT_EQ(LoadBlock("  policy: promise\n  score: [accuracy]\n").report,
            "w.yaml:3: field 'scenarios.score': must be a mapping of metric names to weights, "
            "e.g. {accuracy: 1, loss: -0.5} (got a list)\n");
  EXPECT_EQ(LoadBlock("  policy: promise\n  score:\n    accuracy: high\n    loss: .nan\n"
                      "    bad name: 1\n")
                .report,
            "w.yaml:4: field 'scenarios.score.accuracy': must be a finite number: the metric's "
            "weight (got \"high\")\n"
            "w.yaml:5: field 'scenarios.score.loss': must be a finite number: the metric's weight "
            "(got nan)\n"
            "w.yaml:6: field 'scenarios.score.bad name': metric name \"bad name\": \" \" is not "
            "allowed (letters, digits and _ . : / - are)\n");
}

TEST(ScenarioPolicyParserTest, PriorityRangeIsFromOneToAMillion) {
  EXPECT_EQ(LoadBlock("  policy: promise\n  score: {a: 1}\n  priority_range: 0\n").report,
            "w.yaml:4: field 'scenarios.priority_range': must be an integer from 1 to 1000000 "
            "(got 0)\n");
  EXPECT_EQ(LoadBlock("  policy: promise\n  score: {a: 1}\n  priority_range: 1000001\n").report,
            "w.yaml:4: field 'scenarios.priority_range': must be an integer from 1 to 1000000 "
            "(got 1000001)\n");
  EXPECT_EQ(LoadBlock("  policy: promise\n  score: {a: 1}\n  priority_range: 1000000\n")
                .scenarios->priority_range,
            1000000);
}

TEST(ScenarioPolicyParserTest, KeysOfTheOtherPolicyAreProblems) {
  EXPECT_EQ(LoadBlock("  policy: promise\n  score: {a: 1}\n  metric: loss\n  grace: 2\n").report,
            "w.yaml:4: field 'scenarios.metric': belongs to policy asha, not promise\n"
            "w.yaml:5: field 'scenarios.grace': belongs to policy asha, not promise\n");
  EXPECT_EQ(LoadBlock("  policy: asha\n  metric: loss\n  priority_range: 5\n").report,
            "w.yaml:4: field 'scenarios.priority_range': belongs to policy promise, not asha\n");
}

TEST(ScenarioPolicyParserTest, UnknownKeysSuggestTheCloseOne) {
  EXPECT_EQ(LoadBlock("  policy: asha\n  metric: loss\n  eta: 3\n  gracee: 2\n  frobnicate: 1\n")
                .report,
            "w.yaml:4: field 'scenarios.eta': unknown key; expected policy, mode, metric, "
            "reduction_factor, grace, max_step, action, score, priority_range (did you mean "
            "'reduction_factor'?)\n"
            "w.yaml:5: field 'scenarios.gracee': unknown key; expected policy, mode, metric, "
            "reduction_factor, grace, max_step, action, score, priority_range (did you mean "
            "'grace'?)\n"
            "w.yaml:6: field 'scenarios.frobnicate': unknown key; expected policy, mode, metric, "
            "reduction_factor, grace, max_step, action, score, priority_range\n");
}

TEST(ScenarioPolicyParserTest, EveryProblemIsReportedWithTheTasksOnesInJsonToo) {
  Loaded out = Load("w.json", R"({
  "scenarios": {
    "policy": "asha",
    "metric": "loss",
    "reduction_factor": 1,
    "grace": -1
  },
  "tasks": [{"id": "a", "command": "x", "coers": 2}]
})");
  EXPECT_FALSE(out.ok);
  EXPECT_FALSE(out.scenarios.has_value());
  EXPECT_EQ(out.report,
            "w.json:5: field 'scenarios.reduction_factor': must be a number >= 2 (got 1)\n"
            "w.json:6: field 'scenarios.grace': must be an integer >= 1 (got -1)\n"
            "w.json:8: task 'a': field 'coers': unknown field (did you mean 'cores'?)\n");
}

}  // namespace
}  // namespace allot
