// The two accepted formats, defaults, field values and workdirs.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "model/task_file.h"
#include "model/task_file_testing.h"
#include "model/task_spec_json.h"

namespace allot {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::Pair;
using testing::Parse;
using testing::ParseOk;

TEST(TaskFileFormatTest, AcceptsAllocationSchedulerArrayUnchanged) {
  std::vector<TaskSpec> tasks = ParseOk("tasks.json", R"([
    {"id": "prep", "command": "make data", "cores": 2, "timeout": 3600, "priority": 5,
     "max_retries": 2, "env": {"OMP_NUM_THREADS": "2"}, "tags": {"stage": "prep"},
     "workdir": "/scratch/prep"},
    {"id": 7, "command": "python run.py", "cores": 1, "timeout": 90.5, "priority": 0,
     "max_retries": 0, "env": {}, "tags": {}, "workdir": "rel/dir"}
  ])");
  ASSERT_EQ(tasks.size(), 2u);
  const TaskSpec& a = tasks[0];
  EXPECT_EQ(a.id, "prep");
  EXPECT_EQ(a.command, "make data");
  EXPECT_EQ(a.resources.cores, (CoreRequest{2, 2}));
  EXPECT_EQ(a.time_limit, hours(1));
  EXPECT_EQ(a.priority, 5);
  EXPECT_EQ(a.max_retries, 2);
  EXPECT_THAT(a.env, ElementsAre(Pair("OMP_NUM_THREADS", "2")));
  EXPECT_THAT(a.tags, ElementsAre(Pair("stage", "prep")));
  EXPECT_EQ(a.workdir, "/scratch/prep");
  EXPECT_EQ(a.origin.file, "tasks.json");
  EXPECT_EQ(a.origin.line, 2);
  const TaskSpec& b = tasks[1];
  EXPECT_EQ(b.id, "7");
  EXPECT_EQ(b.time_limit, seconds(90) + std::chrono::milliseconds(500));
  EXPECT_EQ(b.workdir, "/base/rel/dir");
  EXPECT_EQ(b.origin.line, 5);
}

TEST(TaskFileFormatTest, AcceptsFullFieldSetInArrayElements) {
  std::vector<TaskSpec> tasks = ParseOk("tasks.json", R"([
    {"id": "a", "command": "x", "cores": {"min": 2, "max": 8}, "memory": "2G", "gpus": 1,
     "resources": {"licenses": 1}, "time_limit": "1h30m", "time_estimate": "10min",
     "grace_period": "30s", "retry_backoff": "5s", "depends_on": "b"},
    {"id": "b", "command": "y"}
  ])");
  ASSERT_EQ(tasks.size(), 2u);
  const TaskSpec& a = tasks[0];
  EXPECT_EQ(a.resources.cores, (CoreRequest{2, 8}));
  EXPECT_EQ(a.resources.memory_bytes, 2LL << 30);
  EXPECT_EQ(a.resources.gpus, 1);
  EXPECT_THAT(a.resources.custom, ElementsAre(Pair("licenses", 1)));
  EXPECT_EQ(a.time_limit, minutes(90));
  EXPECT_EQ(a.time_estimate, minutes(10));
  EXPECT_EQ(a.grace_period, seconds(30));
  EXPECT_EQ(a.retry_backoff, (RetryBackoff{seconds(5), 1.0, seconds(5)}));
  EXPECT_THAT(a.depends_on, ElementsAre("b"));
}

TEST(TaskFileFormatTest, WorkflowYamlWithDefaultsMergedUnderEachTask) {
  std::vector<TaskSpec> tasks = ParseOk("wf.yaml", R"(
name: campaign
description: ignored metadata
defaults:
  cores: 2
  memory: 1G
  time_limit: 10min
  env: {A: "1", B: "2"}
  tags: {project: epic, stage: sim}
tasks:
  - id: one
    command: ./sim
    cores: 4
    env: {B: "20", C: 3}
    tags: {stage: reco}
  - id: two
    command: ./reco
)");
  ASSERT_EQ(tasks.size(), 2u);
  const TaskSpec& one = tasks[0];
  EXPECT_EQ(one.resources.cores, (CoreRequest{4, 4}));
  EXPECT_EQ(one.resources.memory_bytes, 1LL << 30);
  EXPECT_EQ(one.time_limit, minutes(10));
  EXPECT_THAT(one.env, ElementsAre(Pair("A", "1"), Pair("B", "20"), Pair("C", "3")));
  EXPECT_THAT(one.tags, ElementsAre(Pair("project", "epic"), Pair("stage", "reco")));
  const TaskSpec& two = tasks[1];
  EXPECT_EQ(two.resources.cores, (CoreRequest{2, 2}));
  EXPECT_THAT(two.env, ElementsAre(Pair("A", "1"), Pair("B", "2")));
  EXPECT_EQ(two.origin.line, 16);
}

TEST(TaskFileFormatTest, WorkflowJsonIsTheSameDocument) {
  std::vector<TaskSpec> tasks = ParseOk("wf.json", R"({
    "defaults": {"cores": 3},
    "tasks": [{"id": "a", "command": "x"}, {"id": "b", "command": "y", "depends_on": ["a"]}]
  })");
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[1].resources.cores, (CoreRequest{3, 3}));
  EXPECT_THAT(tasks[1].depends_on, ElementsAre("a"));
}

TEST(TaskFileFormatTest, FormatIsDetectedFromTextWhenTheNameSaysNothing) {
  EXPECT_EQ(ParseOk("-", "[{\"id\": \"a\", \"command\": \"x\"}]").size(), 1u);
  EXPECT_EQ(ParseOk("-", "tasks:\n  - {id: a, command: x}\n").size(), 1u);
  // Flow YAML that is not JSON.
  EXPECT_EQ(ParseOk("-", "[{id: a, command: x}]").size(), 1u);
}

TEST(TaskFileFormatTest, EnvKeepsFileOrderAndStringifiesNumbers) {
  std::vector<TaskSpec> tasks = ParseOk("t.yaml", R"(
tasks:
  - id: a
    command: x
    env: {Z: 1, A: 2.5, M: true, S: "s"}
)");
  EXPECT_THAT(tasks[0].env,
              ElementsAre(Pair("Z", "1"), Pair("A", "2.5"), Pair("M", "true"), Pair("S", "s")));
}

TEST(TaskFileFormatTest, EnvAcceptsListOfNameValueStrings) {
  std::vector<TaskSpec> tasks =
      ParseOk("t.json", R"([{"id": "a", "command": "x", "env": ["B=1", "A=x=y"]}])");
  EXPECT_THAT(tasks[0].env, ElementsAre(Pair("B", "1"), Pair("A", "x=y")));
}

TEST(TaskFileFormatTest, DefaultsWhenFieldsAreAbsent) {
  std::vector<TaskSpec> tasks = ParseOk("t.yaml", "tasks:\n  - {id: a, command: x}\n");
  const TaskSpec& t = tasks[0];
  TaskSpec d;
  EXPECT_EQ(t.resources, d.resources);
  EXPECT_FALSE(t.time_limit.has_value());
  EXPECT_EQ(t.grace_period, d.grace_period);
  EXPECT_EQ(t.retry_backoff, d.retry_backoff);
  EXPECT_EQ(t.workdir, "/base");
}

TEST(TaskFileFormatTest, RelativeWorkdirsResolveAgainstBaseDir) {
  std::vector<TaskSpec> tasks = ParseOk("t.yaml", R"(
tasks:
  - {id: a, command: x, workdir: runs/a/}
  - {id: b, command: x, workdir: ../up}
  - {id: c, command: x, workdir: /abs//dir/}
)");
  EXPECT_EQ(tasks[0].workdir, "/base/runs/a");
  EXPECT_EQ(tasks[1].workdir, "/up");
  EXPECT_EQ(tasks[2].workdir, "/abs/dir");
}

TEST(TaskFileFormatTest, RetryBackoffObjectAndTimeForms) {
  std::vector<TaskSpec> tasks = ParseOk("t.yaml", R"(
tasks:
  - id: a
    command: x
    retry_backoff: {initial: 2s, factor: 3, max: 1min}
    time_limit: "01:30:00"
    grace_period: 0
  - id: b
    command: x
    retry_backoff: {initial: 20min}
    timeout: 90
)");
  EXPECT_EQ(tasks[0].retry_backoff, (RetryBackoff{seconds(2), 3.0, minutes(1)}));
  EXPECT_EQ(tasks[0].time_limit, minutes(90));
  EXPECT_EQ(tasks[0].grace_period, seconds(0));
  EXPECT_EQ(tasks[1].retry_backoff, (RetryBackoff{minutes(20), 2.0, minutes(20)}));
  EXPECT_EQ(tasks[1].time_limit, seconds(90));
}

TEST(TaskFileFormatTest, LoadTaskFileReadsFromDisk) {
  std::string path = ::testing::TempDir() + "/allot_load_test.yaml";
  {
    std::ofstream out(path);
    out << "tasks:\n  - {id: a, command: x}\n";
  }
  std::vector<Diagnostic> diagnostics;
  Result<LoadedTasks> r = LoadTaskFile(path, {"/w"}, &diagnostics);
  std::remove(path.c_str());
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(diagnostics);
  EXPECT_EQ(r->tasks[0].origin.file, path);
  EXPECT_EQ(r->tasks[0].workdir, "/w");
}

TEST(TaskFileFormatTest, MissingFileIsOneDiagnosticNamingIt) {
  std::vector<Diagnostic> diagnostics;
  Result<LoadedTasks> r = LoadTaskFile("/nonexistent/tasks.yaml", {"/w"}, &diagnostics);
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].file, "/nonexistent/tasks.yaml");
  EXPECT_NE(diagnostics[0].message.find("No such file"), std::string::npos)
      << diagnostics[0].message;
}

TEST(TaskFileFormatTest, LoadedSpecsSurviveJsonRoundTrip) {
  // Every spec the parser makes is one the journal can store.
  std::vector<TaskSpec> tasks = ParseOk("t.yaml", R"(
tasks:
  - id: a
    command: x
    cores: {min: 1, max: 4}
    memory: 1.5G
    time_limit: 1.25s
    env: {Z: 1, A: 2}
    retry_backoff: {initial: 1.5s, factor: 1.5, max: 1h}
)");
  ASSERT_EQ(tasks.size(), 1u);
  Result<TaskSpec> back = TaskSpecFromJson(TaskSpecToJson(tasks[0]));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, tasks[0]);
}

}  // namespace
}  // namespace allot
