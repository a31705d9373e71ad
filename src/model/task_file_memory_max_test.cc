// memory_max in task files: a size, merged from defaults, kept through the journal's JSON, and
// refused without memory or below it.
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

TEST(TaskFileMemoryMaxTest, IsASizeTakenFromDefaultsAndKeptInTheJournalsJson) {
  std::vector<TaskSpec> tasks = ParseOk("t.yaml", R"(
defaults:
  memory_max: 4G
tasks:
  - id: a
    command: x
    memory: 1G
  - id: b
    command: x
    memory: 512M
    memory_max: 1G
)");
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0].memory_max_bytes, int64_t{4} << 30);
  EXPECT_EQ(tasks[1].memory_max_bytes, int64_t{1} << 30);
  Result<TaskSpec> back = TaskSpecFromJson(TaskSpecToJson(tasks[1]));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, tasks[1]);
}

TEST(TaskFileMemoryMaxTest, WithoutMemoryOrBelowItIsAnErrorAtItsLine) {
  testing::ParseOutcome out = Parse("t.yaml", R"(
tasks:
  - id: a
    command: x
    memory_max: 1G
  - id: b
    command: x
    memory: 2G
    memory_max: 1G
)");
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.diagnostics, Contains(DiagnosticAt(5, "memory_max", "needs 'memory'")));
  EXPECT_THAT(out.diagnostics,
              Contains(DiagnosticAt(9, "memory_max", "is less than memory (2 GiB)")));
}

}  // namespace
}  // namespace allot

namespace allot {
namespace {

TEST(TaskFileMemoryAutoTest, MemoryAutoIsLearnedAndMayHaveACap) {
  std::vector<Diagnostic> problems;
  Result<LoadedTasks> loaded = ParseTaskFile("a.yaml", R"(
tasks:
  - {id: sim-1, command: x, memory: auto, memory_max: 8G}
  - {id: sim-2, command: x, memory: auto}
)", LoadOptions{}, &problems);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const TaskSpec& a = loaded.value().tasks[0];
  EXPECT_TRUE(a.resources.memory_auto);
  EXPECT_EQ(a.resources.memory_bytes, 0);
  EXPECT_EQ(a.memory_max_bytes, int64_t{8} << 30);
  Result<TaskSpec> back = TaskSpecFromJson(TaskSpecToJson(a));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value(), a) << "memory: auto survives the journal";
}

}  // namespace
}  // namespace allot
