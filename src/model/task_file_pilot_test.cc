// Files of the allocation scheduler (pilot.py's load_json): null is the default, `retries` is
// retries already spent, fields allot does not know are warnings there and errors in the
// workflow format, and a task without workdir runs in its own task directory.
#include <gtest/gtest.h>

#include <string>

#include "model/task_file.h"
#include "model/task_file_testing.h"

namespace allot {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::SizeIs;
using testing::DiagnosticAt;
using testing::Parse;

// Parses `text` that must load; returns the tasks and the warnings.
struct Loaded {
  std::vector<TaskSpec> tasks;
  std::vector<Diagnostic> warnings;
  std::string warning_text;  // FormatDiagnostics(warnings)
};
Loaded LoadOk(const std::string& file, const std::string& text) {
  LoadOptions options;
  options.base_dir = "/base";
  std::vector<Diagnostic> problems;
  Result<LoadedTasks> r = ParseTaskFile(file, text, options, &problems);
  EXPECT_TRUE(r.ok()) << FormatDiagnostics(problems);
  Loaded out;
  if (!r.ok()) return out;
  out.tasks = std::move(r->tasks);
  out.warnings = std::move(r->warnings);
  out.warning_text = FormatDiagnostics(out.warnings);
  return out;
}

// What simple_tasks.py writes: json.dump([t.to_dict() for t in tasks], indent=2).
constexpr const char* kGeneratedTask = R"([
  {
    "id": "task_000",
    "command": "\necho \"Task 0 starting\"\nsleep 1\n",
    "cores": 1,
    "timeout": 60,
    "priority": 0,
    "workdir": null,
    "env": {},
    "tags": {
      "index": 0
    },
    "max_retries": 0,
    "retries": 0
  }
])";

TEST(TaskFilePilotTest, GeneratorOutputLoadsWithoutWarningsAndRunsInItsTaskDirectory) {
  Loaded l = LoadOk("tasks.json", kGeneratedTask);
  ASSERT_THAT(l.tasks, SizeIs(1));
  EXPECT_THAT(l.warnings, IsEmpty()) << l.warning_text;
  const TaskSpec& t = l.tasks[0];
  EXPECT_EQ(t.id, "task_000");
  EXPECT_EQ(t.time_limit, std::chrono::seconds(60));
  EXPECT_EQ(t.max_retries, 0);
  EXPECT_THAT(t.tags, ElementsAre(Pair("index", "0")));
  // Empty: the worker runs it in <workdir>/<task id> (worker/local_worker.h), on every
  // worker and after --resume alike, as the journal keeps the spec as it is.
  EXPECT_EQ(t.workdir, "");
}

TEST(TaskFilePilotTest, NullMeansTheDefaultForEveryOptionalField) {
  Loaded l = LoadOk("tasks.json", R"([
    {"id": "a", "command": "x", "cores": null, "timeout": null, "priority": null,
     "workdir": null, "env": null, "tags": null, "max_retries": null, "retries": null,
     "memory": null, "time_estimate": null, "depends_on": null, "retry_backoff": null}
  ])");
  ASSERT_THAT(l.tasks, SizeIs(1));
  EXPECT_THAT(l.warnings, IsEmpty()) << l.warning_text;
  const TaskSpec& t = l.tasks[0];
  const TaskSpec d;
  EXPECT_EQ(t.resources, d.resources);
  EXPECT_FALSE(t.time_limit.has_value());
  EXPECT_EQ(t.priority, 0);
  EXPECT_EQ(t.max_retries, 0);
  EXPECT_TRUE(t.env.empty());
  EXPECT_TRUE(t.tags.empty());
  EXPECT_TRUE(t.depends_on.empty());
  EXPECT_EQ(t.retry_backoff, d.retry_backoff);
  EXPECT_EQ(t.workdir, "");
}

TEST(TaskFilePilotTest, NullInAWorkflowTaskTakesTheDefaultsValue) {
  Loaded l = LoadOk("wf.yaml", R"(
defaults: {cores: 2, workdir: runs}
tasks:
  - id: a
    command: x
    cores: null
    workdir:
)");
  ASSERT_THAT(l.tasks, SizeIs(1));
  EXPECT_EQ(l.tasks[0].resources.cores, (CoreRequest{2, 2}));
  EXPECT_EQ(l.tasks[0].workdir, "/base/runs");
}

TEST(TaskFilePilotTest, NullIdOrCommandIsStillAnError) {
  testing::ParseOutcome out = Parse("t.json", R"([
  {"id": null, "command": "x"},
  {"id": "b", "command": null}
])");
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.diagnostics, ElementsAre(DiagnosticAt(2, "id", "got null"),
                                           DiagnosticAt(3, "command", "got null")))
      << out.report;
}

TEST(TaskFilePilotTest, RetriesAreRetriesAlreadySpentWithAWarning) {
  Loaded l = LoadOk("tasks.json", R"([
  {"id": "a", "command": "x", "max_retries": 3, "retries": 1},
  {"id": "b", "command": "x", "max_retries": 1,
   "retries": 4},
  {"id": "c", "command": "x", "max_retries": 2, "retries": 0}
])");
  ASSERT_THAT(l.tasks, SizeIs(3));
  EXPECT_EQ(l.tasks[0].max_retries, 2);
  EXPECT_EQ(l.tasks[1].max_retries, 0);
  EXPECT_EQ(l.tasks[2].max_retries, 2);
  EXPECT_EQ(l.warning_text,
            "tasks.json:2: task 'a': field 'retries': counted as retries already spent, as "
            "pilot.py does: 2 of max_retries 3 left\n"
            "tasks.json:4: task 'b': field 'retries': counted as retries already spent, as "
            "pilot.py does: 0 of max_retries 1 left\n");
}

TEST(TaskFilePilotTest, BadRetriesIsAnError) {
  testing::ParseOutcome out =
      Parse("t.json", "[{\"id\": \"a\", \"command\": \"x\",\n \"retries\": -1}]");
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.diagnostics,
              ElementsAre(DiagnosticAt(2, "retries", "must be a non-negative integer")));
}

TEST(TaskFilePilotTest, UnknownFieldsAreWarningsWithDidYouMeanInTheArrayFormat) {
  Loaded l = LoadOk("tasks.json", R"([
  {"id": "a", "command": "x"},
  {"id": "b", "command": "x", "priorty": 3,
   "frobnicate": 1}
])");
  ASSERT_THAT(l.tasks, SizeIs(2));
  EXPECT_EQ(l.tasks[1].priority, 0);
  EXPECT_EQ(l.warning_text,
            "tasks.json:3: task 'b': field 'priorty': unknown field, ignored (did you mean "
            "'priority'?)\n"
            "tasks.json:4: task 'b': field 'frobnicate': unknown field, ignored\n");
}

// allot's own fields keep their meaning in the array: a job type beside `command` is an error
// there too (pilot.py's files have none), not a field silently ignored.
TEST(TaskFilePilotTest, AJobTypeBesideTheCommandIsAnErrorInTheArrayFormatToo) {
  testing::ParseOutcome out = Parse("tasks.json", R"([
  {"id": "b", "command": "x",
   "container": {"image": "x"}}
])");
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.diagnostics,
              ElementsAre(DiagnosticAt(3, "container", "only one of command, python, script")))
      << out.report;
}

TEST(TaskFilePilotTest, TheWorkflowFormatStaysStrict) {
  testing::ParseOutcome json = Parse("wf.json", R"({"tasks": [
  {"id": "b", "command": "x", "priorty": 3,
   "retries": 1}
]})");
  EXPECT_FALSE(json.ok);
  EXPECT_THAT(json.diagnostics,
              ElementsAre(DiagnosticAt(2, "priorty", "unknown field (did you mean 'priority'?)"),
                          DiagnosticAt(3, "retries", "did you mean 'max_retries'")))
      << json.report;
  // A YAML list is not the allocation-scheduler format either (pilot.py reads JSON only).
  testing::ParseOutcome yaml = Parse("l.yaml", "- {id: a, command: x, coers: 2}\n");
  EXPECT_FALSE(yaml.ok);
}

TEST(TaskFilePilotTest, WarningsOfOneKindAreCappedAndCounted) {
  std::string text = "[\n";
  for (int i = 0; i < 10; ++i) {
    text += "{\"id\": \"t" + std::to_string(i) + "\", \"command\": \"x\", \"note\": 1}";
    text += i + 1 < 10 ? ",\n" : "\n";
  }
  text += "]";
  Loaded l = LoadOk("t.json", text);
  EXPECT_THAT(l.tasks, SizeIs(10));
  ASSERT_THAT(l.warnings, SizeIs(4)) << l.warning_text;
  EXPECT_EQ(l.warnings[3].ToString(), "t.json:2: field 'note': the same in 7 more tasks");
}

TEST(TaskFilePilotTest, ProblemsStillStopTheLoadAndWarningsAreNotProblems) {
  testing::ParseOutcome out =
      Parse("t.json", "[{\"id\": \"a\", \"command\": \"x\", \"note\": 1,\n \"cores\": 0}]");
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.diagnostics, ElementsAre(DiagnosticAt(2, "cores", "positive integer")));
}

TEST(TaskFilePilotTest, AnyTagValueIsKeptAsItsJsonText) {
  Loaded l = LoadOk("t.json", R"([{"id": "a", "command": "x",
    "tags": {"params": {"alpha": 0.1}, "seeds": [1, 2], "none": null, "t": 80.0}}])");
  ASSERT_THAT(l.tasks, SizeIs(1));
  EXPECT_THAT(l.tasks[0].tags,
              ElementsAre(Pair("none", "null"), Pair("params", "{\"alpha\":0.1}"),
                          Pair("seeds", "[1,2]"), Pair("t", "80.0")));
}

TEST(TaskFilePilotTest, AWorkdirIsStillHonouredAgainstTheFilesDirectory) {
  Loaded l = LoadOk("tasks.json", R"([{"id": "a", "command": "x", "workdir": "runs/a"}])");
  ASSERT_THAT(l.tasks, SizeIs(1));
  EXPECT_EQ(l.tasks[0].workdir, "/base/runs/a");
}

TEST(TaskFilePilotTest, ASweepWhoseTasksShareADirectoryIsWarnedAbout) {
  Loaded shared = LoadOk("wf.yaml", R"(
tasks:
  - id: "sim-{a}"
    command: "echo {a} > result.txt"
    sweep: {grid: {a: [1, 2, 3]}}
)");
  EXPECT_THAT(shared.tasks, SizeIs(3));
  ASSERT_THAT(shared.warnings, SizeIs(1));
  EXPECT_EQ(shared.warnings[0].line, 5);
  EXPECT_EQ(shared.warnings[0].field, "workdir");
  EXPECT_NE(shared.warnings[0].message.find("the 3 tasks of this sweep all run in /base"),
            std::string::npos)
      << shared.warning_text;
  EXPECT_EQ(shared.tasks[0].workdir, "/base");  // the workflow default is unchanged

  Loaded own = LoadOk("wf.yaml", R"(
tasks:
  - id: "sim-{a}"
    command: "echo {a} > result.txt"
    workdir: "runs/{a}"
    sweep: {grid: {a: [1, 2, 3]}}
)");
  EXPECT_THAT(own.warnings, IsEmpty()) << own.warning_text;
  EXPECT_EQ(own.tasks[2].workdir, "/base/runs/3");
}

}  // namespace
}  // namespace allot
