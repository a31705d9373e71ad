// depends_on against the tasks held beside a file (LoadOptions::held: a server's earlier
// submissions): ids and patterns resolve over them as over the file's own, and what resolves
// nowhere is a diagnostic with line, task and field like every other.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model/dependency_resolver.h"
#include "model/sorted_task_ids.h"
#include "model/task_file.h"
#include "model/task_file_testing.h"

namespace allot {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::DiagnosticAt;

// SortedTaskIds that counts the questions it is asked.
class CountingIds : public SortedTaskIds {
 public:
  using SortedTaskIds::SortedTaskIds;
  Result<HeldAnswer> Lookup(const HeldQuery& query) const override {
    ++lookups;
    last_query_ids = query.ids.size();
    last_query_patterns = query.patterns.size();
    return SortedTaskIds::Lookup(query);
  }
  void ForEachWithPrefix(std::string_view prefix,
                         const std::function<void(std::string_view)>& visit) const override {
    ++prefix_scans;
    SortedTaskIds::ForEachWithPrefix(prefix, visit);
  }

  mutable int lookups = 0;
  mutable int prefix_scans = 0;
  mutable size_t last_query_ids = 0;
  mutable size_t last_query_patterns = 0;
};

struct HeldOutcome {
  Status status;
  std::vector<TaskSpec> tasks;
  std::vector<Diagnostic> diagnostics;

  const TaskSpec& Task(const std::string& id) const {
    for (const TaskSpec& t : tasks) {
      if (t.id == id) return t;
    }
    ADD_FAILURE() << "no task " << id;
    return tasks.front();
  }
};

HeldOutcome ParseBeside(const HeldTaskIds& held, std::string_view name, std::string_view text) {
  LoadOptions options;
  options.held = &held;
  HeldOutcome out;
  Result<LoadedTasks> r = ParseTaskFile(name, text, options, &out.diagnostics);
  out.status = r.status();
  if (r.ok()) out.tasks = std::move(r->tasks);
  return out;
}

TEST(TaskFileHeldTest, IdsAndPatternsOverHeldIdsResolve) {
  SortedTaskIds held({"prep", "sim-1", "sim-2", "other"});
  HeldOutcome out = ParseBeside(held, "s.yaml", R"(
tasks:
  - {id: sim-3, command: x}
  - id: merge
    command: x
    depends_on: ["sim-*", prep, sim-1]
  - {id: solo, command: x, depends_on: sim-2}
)");
  ASSERT_TRUE(out.status.ok()) << FormatDiagnostics(out.diagnostics);
  // The file's own first, then the held ones, without duplicates.
  EXPECT_THAT(out.Task("merge").depends_on, ElementsAre("sim-3", "sim-1", "sim-2", "prep"));
  EXPECT_THAT(out.Task("solo").depends_on, ElementsAre("sim-2"));
  EXPECT_THAT(out.Task("sim-3").depends_on, IsEmpty());
}

TEST(TaskFileHeldTest, UnknownIdIsADiagnosticWithLineTaskAndField) {
  SortedTaskIds held({"prep"});
  HeldOutcome out = ParseBeside(held, "s.yaml", R"(
tasks:
  - id: analyse
    command: x
    depends_on:
      - prep
      - perp-2
)");
  EXPECT_EQ(out.status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status.message(), "s.yaml: 1 problem");
  ASSERT_THAT(out.diagnostics, ElementsAre(DiagnosticAt(7, "depends_on", "unknown task 'perp-2'")));
  EXPECT_EQ(out.diagnostics[0].file, "s.yaml");
  EXPECT_EQ(out.diagnostics[0].task_id, "analyse");
}

TEST(TaskFileHeldTest, PatternMatchingNoFileOrHeldIdIsADiagnostic) {
  SortedTaskIds held({"sim-1"});
  HeldOutcome out = ParseBeside(held, "s.yaml", R"(
tasks:
  - {id: reco, command: x, depends_on: ["sims-*"]}
)");
  ASSERT_THAT(out.diagnostics,
              ElementsAre(DiagnosticAt(3, "depends_on", "pattern 'sims-*' matches no task")));
  EXPECT_EQ(out.diagnostics[0].task_id, "reco");
}

TEST(TaskFileHeldTest, IdTheHeldTasksHaveIsADiagnosticAtItsIdLine) {
  SortedTaskIds held({"a"});
  HeldOutcome out = ParseBeside(held, "s.yaml", R"(
tasks:
  - {id: b, command: x}
  - command: x
    id: a
)");
  ASSERT_THAT(out.diagnostics, ElementsAre(DiagnosticAt(5, "id", "submitted before")));
  EXPECT_EQ(out.diagnostics[0].task_id, "a");
}

// The Status itself carries the problems, so a server hands them on as data.
TEST(TaskFileHeldTest, TheRefusalCarriesItsDiagnostics) {
  SortedTaskIds held({});
  HeldOutcome out = ParseBeside(held, "s.yaml", "tasks:\n  - {id: a, command: x, depends_on: z}\n"
                                                "  - {id: b, command: x, coers: 2}\n");
  EXPECT_EQ(out.status.message(), "s.yaml: 2 problems");
  ASSERT_EQ(out.diagnostics.size(), 2u);
  EXPECT_EQ(out.status.diagnostics(), out.diagnostics);
}

// A server's loop answers for its tasks: one round trip per file, however many questions.
TEST(TaskFileHeldTest, AsksTheHeldIdsOnceWithEveryQuestion) {
  CountingIds held({"x-1", "x-2", "y-1"});
  HeldOutcome out = ParseBeside(held, "s.yaml", R"(
tasks:
  - {id: a, command: x, depends_on: [x-1, "x-*", "y-*", "x-*", x-1, b]}
  - {id: b, command: x, depends_on: [y-1, "x-*"]}
)");
  ASSERT_TRUE(out.status.ok()) << FormatDiagnostics(out.diagnostics);
  EXPECT_EQ(held.lookups, 1);
  EXPECT_EQ(held.last_query_ids, 4u);       // a, b (must be new), x-1, y-1
  EXPECT_EQ(held.last_query_patterns, 2u);  // "x-*", "y-*"
  EXPECT_EQ(held.prefix_scans, 2);
  EXPECT_THAT(out.Task("a").depends_on, ElementsAre("b", "x-1", "x-2", "y-1"));
}

TEST(TaskFileHeldTest, WithoutHeldIdsNothingIsAsked) {
  CountingIds held({"x-1"});
  std::vector<Diagnostic> diagnostics;
  Result<LoadedTasks> r = ParseTaskFile("s.yaml", "tasks:\n  - {id: a, command: x}\n",
                                        LoadOptions{}, &diagnostics);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(held.lookups, 0);
}

// A million held ids and patterns over them: a sorted index visits only the ids sharing the
// pattern's literal prefix, once per distinct pattern (no timing asserted; the counts show it).
TEST(TaskFileHeldTest, PatternsOverAMillionHeldIds) {
  std::vector<std::string> ids;
  ids.reserve(1'000'000);
  for (int i = 0; i < 1'000'000; ++i) ids.push_back("sim-" + std::to_string(i));
  CountingIds held(std::move(ids));
  HeldOutcome out = ParseBeside(held, "big.yaml", R"(
tasks:
  - {id: some, command: x, depends_on: ["sim-12345?", "sim-99999*"]}
  - {id: all, command: x, depends_on: ["sim-*"]}
  - {id: one, command: x, depends_on: [sim-777777]}
)");
  ASSERT_TRUE(out.status.ok()) << FormatDiagnostics(out.diagnostics);
  EXPECT_EQ(held.lookups, 1);
  EXPECT_EQ(held.prefix_scans, 3);
  EXPECT_EQ(out.Task("some").depends_on.size(), 10u + 11u);  // sim-123450..9; sim-99999, 0..9
  EXPECT_EQ(out.Task("all").depends_on.size(), 1'000'000u);
  EXPECT_THAT(out.Task("one").depends_on, ElementsAre("sim-777777"));
}

// An error of the holder (a server stopping) is not a problem of the file.
TEST(TaskFileHeldTest, LookupFailureIsReturnedAsItIs) {
  class Gone : public SortedTaskIds {
   public:
    Gone() : SortedTaskIds({}) {}
    Result<HeldAnswer> Lookup(const HeldQuery&) const override {
      return Status::Unavailable("the server is stopping");
    }
  } gone;
  HeldOutcome out = ParseBeside(gone, "s.yaml", "tasks:\n  - {id: a, command: x, depends_on: z}\n");
  EXPECT_EQ(out.status.code(), StatusCode::kUnavailable);
  EXPECT_THAT(out.diagnostics, IsEmpty());
}

// Between reading a submission and adding it, a server's other submissions may take its ids.
TEST(CheckIdsStillNewTest, NamesEveryTaskWhoseIdIsNowHeld) {
  std::vector<TaskSpec> tasks(3);
  tasks[0].id = "a";
  tasks[1].id = "b";
  tasks[2].id = "c";
  for (TaskSpec& t : tasks) t.origin = {"s.yaml", 2};
  tasks[2].origin.line = 7;
  std::vector<Diagnostic> diagnostics;
  EXPECT_TRUE(CheckIdsStillNew(tasks, SortedTaskIds({"x"}), &diagnostics));
  EXPECT_FALSE(CheckIdsStillNew(tasks, SortedTaskIds({"c", "x"}), &diagnostics));
  ASSERT_THAT(diagnostics, ElementsAre(DiagnosticAt(7, "id", "submitted before")));
  EXPECT_EQ(diagnostics[0].file, "s.yaml");
  EXPECT_EQ(diagnostics[0].task_id, "c");
}

}  // namespace
}  // namespace allot
