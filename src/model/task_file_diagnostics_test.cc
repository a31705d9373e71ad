// What users see for bad task files: every problem at once, each with file, line and field.
#include <gtest/gtest.h>

#include "model/task_file.h"
#include "model/task_file_testing.h"

namespace allot {
namespace {

using ::testing::Contains;
using testing::DiagnosticAt;
using ::testing::ElementsAre;
using testing::Parse;
using ::testing::SizeIs;

TEST(TaskFileDiagnosticsTest, JsonSyntaxErrorNamesLineAndColumn) {
  testing::ParseOutcome out = Parse("t.json", "[\n  {\"id\": \"a\",\n   \"command\": x}\n]");
  EXPECT_FALSE(out.ok);
  ASSERT_THAT(out.diagnostics, SizeIs(1));
  EXPECT_EQ(out.diagnostics[0].line, 3);
  EXPECT_EQ(out.diagnostics[0].column, 15);  // the 'x'
  EXPECT_EQ(out.report,
            "t.json:3: JSON syntax error at column 15: while parsing value - invalid literal; "
            "last read: '\"command\": x'\n");
}

TEST(TaskFileDiagnosticsTest, YamlSyntaxErrorNamesLineAndColumn) {
  testing::ParseOutcome out = Parse("t.yaml", "tasks:\n  - id: a\n   command: [x\n");
  EXPECT_FALSE(out.ok);
  ASSERT_THAT(out.diagnostics, SizeIs(1));
  EXPECT_GE(out.diagnostics[0].line, 3);
  EXPECT_GT(out.diagnostics[0].column, 0);
  EXPECT_NE(out.report.find("YAML syntax error"), std::string::npos) << out.report;
}

TEST(TaskFileDiagnosticsTest, UnknownFieldSuggestsTheCloseOne) {
  testing::ParseOutcome out = Parse("tasks.yaml", R"(
tasks:
  - id: sim-1
    command: x
    coers: 4
  - id: sim-2
    command: x
    walltime: 1h
    frobnicate: 1
)");
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.report,
            "tasks.yaml:5: task 'sim-1': field 'coers': unknown field (did you mean 'cores'?)\n"
            "tasks.yaml:8: task 'sim-2': field 'walltime': unknown field (did you mean "
            "'time_limit'?)\n"
            "tasks.yaml:9: task 'sim-2': field 'frobnicate': unknown field\n");
}

TEST(TaskFileDiagnosticsTest, JsonAndYamlNameTheLinesOfTheirOwnText) {
  // A workflow document: in a bare JSON array (the allocation-scheduler format) an unknown
  // field is a warning (task_file_pilot_test.cc).
  testing::ParseOutcome json = Parse("tasks.json", R"({"tasks": [
  {"id": "a", "command": "x"},
  {"id": "b",
   "command": "x",
   "coers": 4,
   "cores": {"min": 0}}
]})");
  EXPECT_EQ(json.report,
            "tasks.json:5: task 'b': field 'coers': unknown field (did you mean 'cores'?)\n"
            "tasks.json:6: task 'b': field 'cores.min': must be a positive integer (got 0)\n");
  testing::ParseOutcome yaml = Parse("tasks.yaml", R"(tasks:
  - {id: a, command: x}
  - id: b
    command: x

    coers: 4
    cores:
      min: 0
)");
  EXPECT_EQ(yaml.report,
            "tasks.yaml:6: task 'b': field 'coers': unknown field (did you mean 'cores'?)\n"
            "tasks.yaml:8: task 'b': field 'cores.min': must be a positive integer (got 0)\n");
}

TEST(TaskFileDiagnosticsTest, WrongTypesAndValuesNameTheFieldAndWhatIsAccepted) {
  testing::ParseOutcome out = Parse("t.json", R"([
  {"id": "a", "command": "x",
   "cores": "four",
   "memory": "2X",
   "gpus": -1,
   "time_limit": 0,
   "max_retries": -2,
   "priority": 1.5,
   "env": {"A": [1]},
   "retry_backoff": {"initial": "1s", "factor": 0.5},
   "workdir": 3,
   "time_estimate": "soon"}
])");
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.diagnostics,
              ElementsAre(DiagnosticAt(3, "cores",
                                       "must be a positive integer or {min, max} (got \"four\")"),
                          DiagnosticAt(4, "memory", "invalid size '2X'"),
                          DiagnosticAt(5, "gpus", "must be a non-negative integer (got -1)"),
                          DiagnosticAt(6, "time_limit", "must be greater than zero"),
                          DiagnosticAt(7, "max_retries", "must be a non-negative integer"),
                          DiagnosticAt(8, "priority", "must be an integer (got 1.5)"),
                          DiagnosticAt(9, "env.A", "must be a string or a number (got a list)"),
                          DiagnosticAt(10, "retry_backoff.factor", "at least 1"),
                          DiagnosticAt(11, "workdir", "must be a non-empty path"),
                          DiagnosticAt(12, "time_estimate", "invalid duration 'soon'")))
      << out.report;
  for (const Diagnostic& d : out.diagnostics) EXPECT_EQ(d.task_id, "a");
}

TEST(TaskFileDiagnosticsTest, CoresMinGreaterThanMaxAndZeroCores) {
  testing::ParseOutcome out = Parse("t.yaml", R"(
tasks:
  - id: a
    command: x
    cores: {min: 8, max: 4}
  - id: b
    command: x
    cores: 0
  - id: c
    command: x
    cores:
      min: 0
)");
  EXPECT_THAT(out.diagnostics,
              ElementsAre(DiagnosticAt(5, "cores", "min (8) is greater than max (4)"),
                          DiagnosticAt(8, "cores", "must be a positive integer"),
                          DiagnosticAt(12, "cores.min", "must be a positive integer (got 0)")))
      << out.report;
}

TEST(TaskFileDiagnosticsTest, MissingIdAndCommand) {
  testing::ParseOutcome out = Parse("t.yaml", R"(
tasks:
  - command: x
  - id: b
)");
  EXPECT_THAT(out.diagnostics,
              ElementsAre(DiagnosticAt(3, "id", "missing"), DiagnosticAt(4, "command", "missing")))
      << out.report;
  EXPECT_EQ(out.diagnostics[1].task_id, "b");
}

TEST(TaskFileDiagnosticsTest, DuplicateIdNamesBothLines) {
  testing::ParseOutcome out = Parse("t.json", R"([
  {"id": "a", "command": "x"},
  {"id": "b", "command": "x"},
  {"id": "a", "command": "y"}
])");
  EXPECT_THAT(out.diagnostics,
              ElementsAre(DiagnosticAt(4, "id", "duplicate id; first defined at line 2")))
      << out.report;
}

TEST(TaskFileDiagnosticsTest, InvalidIdsAreRejected) {
  testing::ParseOutcome out = Parse("t.yaml", R"(
tasks:
  - {id: "", command: x}
  - {id: "..", command: x}
  - {id: "a/b", command: x}
  - {id: "has space", command: x}
  - {id: "bell\a", command: x}
  - {id: [1], command: x}
)");
  EXPECT_THAT(out.diagnostics, ElementsAre(DiagnosticAt(3, "id", "must not be empty"),
                                           DiagnosticAt(4, "id", "cannot be an id"),
                                           DiagnosticAt(5, "id", "must not contain '/'"),
                                           DiagnosticAt(6, "id", "whitespace"),
                                           DiagnosticAt(7, "id", "control characters"),
                                           DiagnosticAt(8, "id", "must be a string or an integer")))
      << out.report;
}

TEST(TaskFileDiagnosticsTest, EmptyTaskListsAndEmptyFiles) {
  EXPECT_THAT(Parse("t.json", "[]").diagnostics,
              ElementsAre(DiagnosticAt(1, "", "the task list is empty")));
  EXPECT_THAT(Parse("t.yaml", "name: x\ntasks: []\n").diagnostics,
              ElementsAre(DiagnosticAt(2, "tasks", "the task list is empty")));
  EXPECT_THAT(Parse("t.yaml", "").diagnostics, ElementsAre(DiagnosticAt(1, "", "empty")));
  EXPECT_THAT(Parse("t.yaml", "name: x\n").diagnostics,
              ElementsAre(DiagnosticAt(1, "tasks", "missing 'tasks'")));
}

TEST(TaskFileDiagnosticsTest, TopLevelAndStructureProblems) {
  testing::ParseOutcome out = Parse("t.yaml", R"(
defualts: {cores: 2}
tasks:
  - just a string
  - id: a
    command: x
    python: {module: m, function: f}
)");
  EXPECT_THAT(out.diagnostics, ElementsAre(DiagnosticAt(2, "defualts", "did you mean 'defaults'"),
                                           DiagnosticAt(4, "", "a task must be a mapping"),
                                           DiagnosticAt(7, "python", "only one of command")))
      << out.report;
}

TEST(TaskFileDiagnosticsTest, DefaultsProblemsAreReportedOnceAtTheirLine) {
  testing::ParseOutcome out = Parse("t.yaml", R"(
defaults:
  cores: -1
  id: x
tasks:
  - {id: a, command: x}
  - {id: b, command: x}
)");
  EXPECT_THAT(out.diagnostics,
              ElementsAre(DiagnosticAt(3, "defaults.cores", "must be a positive integer"),
                          DiagnosticAt(4, "defaults.id", "cannot be set in defaults")))
      << out.report;
}

TEST(TaskFileDiagnosticsTest, DuplicateKeysAndAliasConflicts) {
  testing::ParseOutcome out = Parse("t.json", R"([
  {"id": "a", "command": "x", "cores": 1,
   "cores": 2, "timeout": 5, "time_limit": "1h"}
])");
  EXPECT_THAT(out.diagnostics,
              ElementsAre(DiagnosticAt(3, "time_limit", "both 'time_limit' and its alias"),
                          DiagnosticAt(3, "", "duplicate key 'cores' (first at line 2)")))
      << out.report;
}

TEST(TaskFileDiagnosticsTest, EveryProblemOfAFileIsReportedTogether) {
  testing::ParseOutcome out = Parse("t.yaml", R"(
tasks:
  - id: a
    command: x
    cores: {min: 4, max: 2}
    depends_on: [missing]
  - id: a
    comand: y
  - id: c
    command: z
    depends_on: c
)");
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.diagnostics,
              ElementsAre(DiagnosticAt(5, "cores", "min (4) is greater than max (2)"),
                          DiagnosticAt(6, "depends_on", "unknown task 'missing'"),
                          DiagnosticAt(7, "command", "missing"),
                          DiagnosticAt(7, "id", "duplicate id; first defined at line 3"),
                          DiagnosticAt(8, "comand", "did you mean 'command'"),
                          DiagnosticAt(11, "depends_on", "dependency cycle: c -> c")))
      << out.report;
}

TEST(TaskFileDiagnosticsTest, HugeNumbersOfProblemsAreSummarized) {
  std::string text = "[\n";
  for (int i = 0; i < 1500; ++i) {
    text += "{\"id\": \"t" + std::to_string(i) + "\", \"command\": \"x\", \"cores\": 0}";
    text += i + 1 < 1500 ? ",\n" : "\n";
  }
  text += "]";
  testing::ParseOutcome out = Parse("t.json", text);
  EXPECT_FALSE(out.ok);
  ASSERT_THAT(out.diagnostics, SizeIs(1001));
  EXPECT_EQ(out.diagnostics[0].message, "showing the first 1000 of 1500 problems");
  EXPECT_EQ(out.diagnostics[1].line, 2);
}

TEST(TaskFileDiagnosticsTest, StatusSaysHowManyProblems) {
  std::vector<Diagnostic> diagnostics;
  Result<LoadedTasks> r = ParseTaskFile("t.yaml", "tasks: [{id: a}, {id: b}]", {"/"}, &diagnostics);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "t.yaml: 2 problems");
}

// Regression (issue 8.12): these were accepted; NUL silently cut env values and paths.
TEST(TaskFileDiagnosticsTest, NulInAnyStringIsRefusedWithItsLine) {
  testing::ParseOutcome json = Parse(
      "t.json", "[{\"id\": \"a\", \"command\": \"x\",\n \"env\": {\"K\": \"se\\u0000cret\"}}]");
  EXPECT_FALSE(json.ok);
  ASSERT_THAT(json.diagnostics, SizeIs(1));
  EXPECT_EQ(json.diagnostics[0].line, 2);
  EXPECT_NE(json.report.find("NUL"), std::string::npos) << json.report;
  testing::ParseOutcome yaml =
      Parse("t.yaml", "tasks:\n  - id: a\n    command: x\n    workdir: \"runs\\0/a\"\n");
  EXPECT_FALSE(yaml.ok);
  ASSERT_THAT(yaml.diagnostics, SizeIs(1));
  EXPECT_EQ(yaml.diagnostics[0].line, 4);
  EXPECT_NE(yaml.report.find("NUL"), std::string::npos) << yaml.report;
}

TEST(TaskFileDiagnosticsTest, NonFiniteOrNegativeNumbersAreRefused) {
  testing::ParseOutcome nan = Parse("t.yaml",
                                    "tasks:\n  - id: a\n    command: x\n"
                                    "    retry_backoff: {initial: 1s, factor: .nan}\n");
  EXPECT_FALSE(nan.ok);
  EXPECT_NE(nan.report.find("t.yaml:4: task 'a': field 'retry_backoff.factor'"),
            std::string::npos)
      << nan.report;
  testing::ParseOutcome inf = Parse("t.yaml",
                                    "tasks:\n  - id: a\n    command: x\n"
                                    "    retry_backoff: {initial: 1s, factor: .inf}\n");
  EXPECT_FALSE(inf.ok) << inf.report;
  for (const char* memory : {"-0", "-0.0", "\"-0\"", "-1"}) {
    testing::ParseOutcome out =
        Parse("t.yaml", std::string("tasks:\n  - id: a\n    command: x\n    memory: ") + memory +
                            "\n");
    EXPECT_FALSE(out.ok) << memory;
    EXPECT_NE(out.report.find("field 'memory'"), std::string::npos) << memory << out.report;
  }
}

// Regression (issue 8.1): a truncated generated file used to crash allot.
TEST(TaskFileDiagnosticsTest, TruncatedLongStringIsOneShortDiagnostic) {
  std::string text = "[{\"id\": \"t\", \"command\": \"" + std::string(30000, 'x');
  testing::ParseOutcome out = Parse("t.json", text);
  EXPECT_FALSE(out.ok);
  ASSERT_THAT(out.diagnostics, SizeIs(1));
  EXPECT_EQ(out.diagnostics[0].line, 1);
  EXPECT_LT(out.report.size(), 400u) << out.report;
}

}  // namespace
}  // namespace allot
