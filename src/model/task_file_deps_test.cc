// depends_on: plain ids, glob patterns, unknown ids and cycles.
#include <gtest/gtest.h>

#include "model/sorted_task_ids.h"
#include "model/task_file.h"
#include "model/task_file_testing.h"

namespace allot {
namespace {

using ::testing::Contains;
using testing::DiagnosticAt;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::Parse;
using testing::ParseOk;

TEST(TaskFileDepsTest, PlainIdsAndPatternsResolveInFileOrderWithoutDuplicates) {
  std::vector<TaskSpec> tasks = ParseOk("d.yaml", R"(
tasks:
  - {id: sim-2, command: x}
  - {id: sim-1, command: x}
  - {id: prep, command: x}
  - {id: sim-10, command: x}
  - id: merge
    command: x
    depends_on: [prep, "sim-*", sim-1]
)");
  EXPECT_THAT(tasks[4].depends_on, ElementsAre("prep", "sim-2", "sim-1", "sim-10"));
}

TEST(TaskFileDepsTest, PatternExcludesTheTaskItself) {
  std::vector<TaskSpec> tasks = ParseOk("d.yaml", R"(
tasks:
  - {id: step-1, command: x}
  - {id: step-2, command: x, depends_on: "step-?"}
)");
  EXPECT_THAT(tasks[0].depends_on, IsEmpty());
  EXPECT_THAT(tasks[1].depends_on, ElementsAre("step-1"));
}

TEST(TaskFileDepsTest, PatternMatchingNothingIsAnError) {
  testing::ParseOutcome out = Parse("d.yaml", R"(
tasks:
  - {id: a, command: x}
  - id: b
    command: x
    depends_on:
      - a
      - "sims-*"
)");
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.diagnostics,
              ElementsAre(DiagnosticAt(8, "depends_on", "pattern 'sims-*' matches no task")))
      << out.report;
}

TEST(TaskFileDepsTest, UnknownIdIsAnErrorWithSuggestion) {
  testing::ParseOutcome out = Parse("d.json", R"([
    {"id": "prepare", "command": "x"},
    {"id": "b", "command": "x",
     "depends_on": ["prepaer"]}
  ])");
  EXPECT_FALSE(out.ok);
  ASSERT_EQ(out.diagnostics.size(), 1u) << out.report;
  EXPECT_EQ(out.diagnostics[0].ToString(),
            "d.json:4: task 'b': field 'depends_on': unknown task 'prepaer' (did you mean "
            "'prepare'?)");
}

TEST(TaskFileDepsTest, CycleIsPrintedFromItsFirstTask) {
  testing::ParseOutcome out = Parse("d.yaml", R"(
tasks:
  - {id: a, command: x, depends_on: b}
  - {id: b, command: x, depends_on: c}
  - {id: c, command: x, depends_on: [d, a]}
  - {id: d, command: x}
  - {id: e, command: x, depends_on: e}
)");
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.diagnostics,
              ElementsAre(DiagnosticAt(3, "depends_on", "dependency cycle: a -> b -> c -> a"),
                          DiagnosticAt(7, "depends_on", "dependency cycle: e -> e")))
      << out.report;
}

TEST(TaskFileDepsTest, CycleThroughPatternsIsFound) {
  testing::ParseOutcome out = Parse("d.yaml", R"(
tasks:
  - {id: sim-1, command: x, depends_on: merge}
  - {id: merge, command: x, depends_on: "sim-*"}
)");
  EXPECT_THAT(out.diagnostics,
              ElementsAre(DiagnosticAt(3, "depends_on", "sim-1 -> merge -> sim-1")))
      << out.report;
}

TEST(TaskFileDepsTest, IntegerIdsCanBeDependedOn) {
  std::vector<TaskSpec> tasks = ParseOk("d.json", R"([
    {"id": 1, "command": "x"},
    {"id": 2, "command": "y", "depends_on": [1]}
  ])");
  EXPECT_THAT(tasks[1].depends_on, ElementsAre("1"));
}

TEST(TaskFileDepsTest, LongChainHasNoStackProblems) {
  std::string text = "[\n";
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    text += "{\"id\": \"t" + std::to_string(i) + "\", \"command\": \"x\"";
    if (i > 0) text += ", \"depends_on\": \"t" + std::to_string(i - 1) + "\"";
    text += i + 1 < n ? "},\n" : "}\n";
  }
  text += "]";
  std::vector<TaskSpec> tasks = ParseOk("chain.json", text);
  ASSERT_EQ(tasks.size(), static_cast<size_t>(n));
  EXPECT_THAT(tasks.back().depends_on, ElementsAre("t99998"));
}

}  // namespace
}  // namespace allot

namespace allot {
namespace {

// Submissions to a server may depend on tasks it already has: the loader keeps those ids.
TEST(TaskFileDepsTest, UnknownIdsAreKeptWhenTheCallerResolvesThemElsewhere) {
  SortedTaskIds held({"earlier"});
  LoadOptions options;
  options.held = &held;
  std::vector<Diagnostic> problems;
  Result<LoadedTasks> loaded = ParseTaskFile("s.yaml", R"(
tasks:
  - {id: a, command: x, depends_on: [earlier, b]}
  - {id: b, command: x}
)", options, &problems);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded.value().tasks[0].depends_on, (std::vector<std::string>{"b", "earlier"}));
}

}  // namespace
}  // namespace allot
