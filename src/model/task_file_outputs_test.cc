// The `outputs` and `validate` fields: what they mean once read, and what users see when they
// are wrong.
#include <gtest/gtest.h>

#include "model/task_file.h"
#include "model/task_file_testing.h"
#include "model/task_spec_json.h"

namespace allot {
namespace {

using testing::Parse;

TEST(TaskFileOutputsTest, ReadsPathsAndValidationAndTheSweepFillsThemIn) {
  testing::ParseOutcome out = Parse("tasks.yaml", R"(
tasks:
  - id: "sim-{n}"
    sweep: {grid: {n: [1, 2]}}
    workdir: "runs/{n}"
    command: ./sim {n}
    outputs: ["out-{n}.h5", "logs/*.txt", /abs/table.csv]
    validate: h5check out-{n}.h5
  - id: one
    command: ./sim
    outputs: result.h5
  - id: merge
    depends_on: ["sim-*"]
    command: "merge {dep.outputs} > all.h5"
)");
  ASSERT_TRUE(out.ok) << out.report;
  const TaskSpec& s2 = *out.Find("sim-2");
  ASSERT_TRUE(s2.outputs);
  EXPECT_EQ(s2.outputs->paths,
            (std::vector<std::string>{"out-2.h5", "logs/*.txt", "/abs/table.csv"}));
  EXPECT_EQ(s2.outputs->validate, "h5check out-2.h5");
  EXPECT_EQ(out.Find("one")->outputs->paths, std::vector<std::string>{"result.h5"});
  EXPECT_TRUE(out.Find("one")->outputs->validate.empty());
  EXPECT_FALSE(out.Find("merge")->outputs);
  EXPECT_EQ(out.Find("merge")->command, "merge {dep.outputs} > all.h5");  // filled at launch
}

TEST(TaskFileOutputsTest, DepOutputsIsKeptInASweepsCommandAndTheJournalKeepsTheFields) {
  testing::ParseOutcome out = Parse("tasks.yaml", R"(
defaults:
  validate: "test -s $ALLOT_OUTPUTS"
tasks:
  - id: "post-{k}"
    sweep: {grid: {k: [a, b]}}
    workdir: "post/{k}"
    command: "post --k {k} {dep.outputs} --w {dep.result.weight}"
    outputs: "{k}.dat"
)");
  ASSERT_TRUE(out.ok) << out.report;
  const TaskSpec& b = *out.Find("post-b");
  EXPECT_EQ(b.command, "post --k b {dep.outputs} --w {dep.result.weight}");
  ASSERT_TRUE(b.outputs);
  EXPECT_EQ(b.outputs->validate, "test -s $ALLOT_OUTPUTS");
  Result<TaskSpec> back = TaskSpecFromJsonText(TaskSpecToJson(b).dump());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->outputs, b.outputs);
}

TEST(TaskFileOutputsTest, BadValuesNameTheTaskTheFieldAndWhatIsAccepted) {
  testing::ParseOutcome out = Parse("tasks.yaml", R"(
tasks:
  - id: a
    command: x
    outputs: []
  - id: b
    command: x
    outputs: [ok.txt, 3]
    validate: ""
  - id: c
    command: x
    outputs: {path: x}
    validate: 7
  - id: "d-{n}"
    sweep: {grid: {n: [1]}}
    command: x
    outputs: "out-{m}.h5"
)");
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.report,
            "tasks.yaml:5: task 'a': field 'outputs': must name at least one path or pattern "
            "(got an empty list)\n"
            "tasks.yaml:8: task 'b': field 'outputs': must be a path or glob pattern, or a "
            "list of them (got 3)\n"
            "tasks.yaml:9: task 'b': field 'validate': must be a non-empty shell command (got "
            "\"\")\n"
            "tasks.yaml:12: task 'c': field 'outputs': must be a path or glob pattern, or a "
            "list of them (got a mapping)\n"
            "tasks.yaml:13: task 'c': field 'validate': must be a non-empty shell command (got "
            "7)\n"
            "tasks.yaml:17: task 'd-{n}': field 'outputs': '{m}' is not a sweep parameter "
            "(parameters: n); write '{{' and '}}' for literal braces\n");
}

}  // namespace
}  // namespace allot
