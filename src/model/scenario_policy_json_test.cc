// The scenario policy as the journal stores it: written and read back unchanged, and refused
// when the text is not a valid policy.
#include "model/scenario_policy_json.h"

#include <gtest/gtest.h>

#include <string>

namespace allot {
namespace {

ScenarioPolicySpec FullAsha() {
  ScenarioPolicySpec spec;
  spec.kind = ScenarioPolicySpec::Kind::kAsha;
  spec.maximize = true;
  spec.metric = "val/acc";
  spec.reduction_factor = 2.5;
  spec.grace = 4;
  spec.max_step = 1000;
  spec.action = ScenarioPolicySpec::Action::kDeprioritize;
  return spec;
}

TEST(ScenarioPolicyJsonTest, AnAshaSpecIsWrittenInTheBlocksKeys) {
  ScenarioPolicySpec spec;
  spec.metric = "loss";
  EXPECT_EQ(ScenarioPolicyToJson(spec),
            R"({"policy":"asha","mode":"min","metric":"loss","reduction_factor":3.0,"grace":1,)"
            R"("action":"stop"})");
  EXPECT_EQ(ScenarioPolicyToJson(FullAsha()),
            R"({"policy":"asha","mode":"max","metric":"val/acc","reduction_factor":2.5,)"
            R"("grace":4,"max_step":1000,"action":"deprioritize"})");
}

TEST(ScenarioPolicyJsonTest, APromiseSpecIsWrittenWithoutTheAshaKeys) {
  ScenarioPolicySpec spec;
  spec.kind = ScenarioPolicySpec::Kind::kPromise;
  spec.metric = "ignored";  // not a promise key: not written
  spec.score = {{"loss", -0.5}, {"accuracy", 1}};
  EXPECT_EQ(ScenarioPolicyToJson(spec),
            R"({"policy":"promise","mode":"min","score":{"accuracy":1.0,"loss":-0.5},)"
            R"("priority_range":100})");
}

TEST(ScenarioPolicyJsonTest, SpecsRoundTripExactly) {
  ScenarioPolicySpec promise;
  promise.kind = ScenarioPolicySpec::Kind::kPromise;
  promise.maximize = true;
  promise.score = {{"a", 0.1}, {"b", -1e-300}, {"c", 1.0 / 3}, {"d:e/f-g.h", 1e300}};
  promise.priority_range = 7;
  ScenarioPolicySpec asha_default;
  asha_default.metric = "loss";
  ScenarioPolicySpec odd_eta = FullAsha();
  odd_eta.reduction_factor = 2.0000000000000004;
  odd_eta.max_step = std::nullopt;
  for (const ScenarioPolicySpec& spec : {FullAsha(), promise, asha_default, odd_eta}) {
    const std::string text = ScenarioPolicyToJson(spec);
    Result<ScenarioPolicySpec> back = ScenarioPolicyFromJson(text);
    ASSERT_TRUE(back.ok()) << text << ": " << back.status().message();
    EXPECT_EQ(*back, spec) << text;
    EXPECT_EQ(ScenarioPolicyToJson(*back), text);
  }
}

TEST(ScenarioPolicyJsonTest, TextThatIsNotAPolicyIsRefusedWithItsProblems) {
  Result<ScenarioPolicySpec> not_json = ScenarioPolicyFromJson("{policy: asha");
  ASSERT_FALSE(not_json.ok());
  EXPECT_EQ(not_json.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(not_json.status().message(), "scenario policy: not JSON: {policy: asha");

  Result<ScenarioPolicySpec> null = ScenarioPolicyFromJson("null");
  ASSERT_FALSE(null.ok());
  EXPECT_EQ(null.status().message(), "scenario policy: null: no policy");

  Result<ScenarioPolicySpec> bad =
      ScenarioPolicyFromJson(R"({"policy":"asha","metric":"loss","reduction_factor":1,"x":2})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "scenario policy: 2 problems: field 'scenarios.reduction_factor': must be a number "
            ">= 2 (got 1)");
  ASSERT_EQ(bad.status().diagnostics().size(), 2u);
  EXPECT_EQ(bad.status().diagnostics()[1].field, "scenarios.x");
  EXPECT_EQ(bad.status().diagnostics()[1].file, "scenario policy");

  Result<ScenarioPolicySpec> list = ScenarioPolicyFromJson("[1]");
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.status().message(),
            "scenario policy: field 'scenarios': must be a mapping with policy (asha or promise) "
            "and its settings (got a list)");
}

}  // namespace
}  // namespace allot
