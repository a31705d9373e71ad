// nodes in task files: a positive count, merged from defaults, kept through the journal's JSON
// (both decoders), 1 when not written, and refused when not a positive integer or with elastic
// cores.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model/task_file.h"
#include "model/task_file_testing.h"
#include "model/task_spec_json.h"

namespace allot {
namespace {

using ::testing::Contains;
using testing::DiagnosticAt;
using testing::Parse;
using testing::ParseOk;

TEST(TaskFileNodesTest, IsACountTakenFromDefaultsAndKeptInTheJournalsJson) {
  std::vector<TaskSpec> tasks = ParseOk("t.yaml", R"(
defaults:
  nodes: 2
tasks:
  - id: a
    command: x
    cores: 4
  - id: b
    command: x
    nodes: 3
  - id: c
    command: x
    nodes: 1
)");
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[0].resources.nodes, 2);
  EXPECT_EQ(tasks[0].resources.cores.min, 4);
  EXPECT_EQ(tasks[1].resources.nodes, 3);
  EXPECT_EQ(tasks[2].resources.nodes, 1);
  for (const TaskSpec& t : tasks) {
    const std::string text = TaskSpecToJson(t).dump();
    Result<TaskSpec> back = TaskSpecFromJson(TaskSpecToJson(t));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, t);
    Result<TaskSpec> fast = TaskSpecFromJsonText(text);
    ASSERT_TRUE(fast.ok());
    EXPECT_EQ(*fast, t);
  }
}

TEST(TaskFileNodesTest, NotWrittenIsOneNode) {
  std::vector<TaskSpec> tasks = ParseOk("t.yaml", "tasks:\n  - id: a\n    command: x\n");
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].resources.nodes, 1);
  EXPECT_FALSE(TaskSpecToJson(tasks[0]).contains("nodes"));
}

TEST(TaskFileNodesTest, ABadCountIsAnErrorAtItsLine) {
  testing::ParseOutcome out = Parse("t.yaml", R"(
tasks:
  - id: a
    command: x
    nodes: 0
  - id: b
    command: x
    nodes: two
  - id: c
    command: x
    nodes: 2
    cores: {min: 1, max: 4}
)");
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.diagnostics, Contains(DiagnosticAt(5, "nodes", "a positive integer")));
  EXPECT_THAT(out.diagnostics, Contains(DiagnosticAt(8, "nodes", "a positive integer")));
  EXPECT_THAT(out.diagnostics, Contains(DiagnosticAt(11, "nodes", "fixed number of cores")));
}

TEST(TaskFileNodesTest, TheAllocationSchedulerArrayTakesItToo) {
  std::vector<TaskSpec> tasks =
      ParseOk("t.json", R"([{"id": "a", "command": "x", "cores": 2, "nodes": 2}])");
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].resources.nodes, 2);
}

TEST(TaskFileNodesTest, OnOneMachineAMultiNodeTaskIsAnErrorAtItsPlace) {
  std::vector<TaskSpec> tasks = ParseOk("t.yaml", "tasks:\n  - id: a\n    command: x\n"
                                                  "    nodes: 2\n");
  ASSERT_EQ(tasks.size(), 1u);
  MachineCapacity one;
  one.cores = 64;
  one.memory_bytes = int64_t{1} << 40;
  std::vector<Diagnostic> diagnostics;
  EXPECT_FALSE(CheckFitsMachine(tasks, one, &diagnostics));
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].line, 2);
  EXPECT_EQ(diagnostics[0].field, "nodes");
  EXPECT_THAT(diagnostics[0].message, ::testing::HasSubstr("asks for 2 nodes"));
}

}  // namespace
}  // namespace allot
