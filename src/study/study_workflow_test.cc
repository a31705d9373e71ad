#include "study/study_workflow.h"

#include <gtest/gtest.h>

#include "study/study_spec_parser.h"

namespace allot {
namespace {

StudySpec Spec(const std::string& trial) {
  const std::string text = "study: s\nspace:\n  x: {type: float, low: 0, high: 1}\n"
                           "objectives: [{name: f, goal: minimize}]\ntrials: 2\nparallel: 3\n"
                           "trial:\n" + trial;
  Result<StudySpec> spec = ParseStudySpec("s.yaml", text, nullptr, nullptr);
  EXPECT_TRUE(spec.ok()) << spec.status().message();
  return *spec;
}

TEST(StudyWorkflowTest, TaskBodyBecomesOneSweptTemplateTaggedAndCountedPerTrial) {
  StudySpec spec = Spec("  python: {module: sim.py, function: f}\n  tags: {owner: me}\n");
  std::vector<TrialPoint> trials = {{"t0000", {0.25}}, {"t0001", {0.75}}};
  OrderedJson doc = CompileStudy(spec, trials);
  ASSERT_EQ(doc["tasks"].size(), 1u);
  const OrderedJson& t = doc["tasks"][0];
  EXPECT_EQ(t["id"], "{trial}");
  EXPECT_EQ(t["sweep"]["zip"]["trial"], OrderedJson({"t0000", "t0001"}));
  EXPECT_EQ(t["sweep"]["zip"]["x"], OrderedJson({0.25, 0.75}));
  EXPECT_EQ(t["tags"], OrderedJson({{"owner", "me"}, {"scenario", "{trial}"}, {"study", "s"}}));
  EXPECT_EQ(t["resources"], OrderedJson({{"study_trials", 1}}));
  EXPECT_EQ(t["params"], OrderedJson({{"x", "{x}"}}));
  EXPECT_EQ(t["workdir"], ".");
  EXPECT_FALSE(doc.contains("scenarios"));
}

TEST(StudyWorkflowTest, TrialWorkflowIdsAndDependenciesArePrefixedWithTheTrial) {
  StudySpec spec = Spec("  tasks:\n    - {id: sim, command: \"./sim {x}\", params: {a: 1}}\n"
                        "    - {id: ana, depends_on: sim, command: ./ana}\n"
                        "    - {id: sum, depends_on: [sim, ana], command: ./sum}\n");
  OrderedJson doc = CompileStudy(spec, {{"t0000", {0.5}}, {"t0001", {0.1}}});
  ASSERT_EQ(doc["tasks"].size(), 3u);
  EXPECT_EQ(doc["tasks"][0]["id"], "{trial}-sim");
  EXPECT_EQ(doc["tasks"][0]["params"], OrderedJson({{"a", 1}}));  // the user's, kept
  EXPECT_EQ(doc["tasks"][1]["depends_on"], "{trial}-sim");
  EXPECT_EQ(doc["tasks"][2]["depends_on"], OrderedJson({"{trial}-sim", "{trial}-ana"}));
  EXPECT_EQ(TrialTaskIds(spec), (std::vector<std::string>{"sim", "ana", "sum"}));
  EXPECT_EQ(TrialTaskId("t0003", "sim"), "t0003-sim");
  EXPECT_EQ(TrialTaskId("t0003", ""), "t0003");
}

}  // namespace
}  // namespace allot
