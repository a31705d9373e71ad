// `executor`: what runs a task's attempts ("local", the default, or "slurm": its own Slurm job,
// exec/slurm_job_launcher.h), on a task or in a workflow's defaults.
#include <gtest/gtest.h>

#include <string>

#include "model/task_file.h"
#include "model/task_file_testing.h"
#include "model/task_spec_json.h"

namespace allot {
namespace {

using ::testing::ElementsAre;
using testing::DiagnosticAt;
using testing::Parse;
using testing::ParseOk;

TEST(TaskFileExecutorTest, SlurmOnATaskAndLocalOrNothingForTheDefault) {
  std::vector<TaskSpec> tasks = ParseOk("w.yaml", R"(tasks:
  - id: sim
    command: ./sim
    executor: slurm
  - id: post
    command: ./post
    executor: local
  - id: plot
    command: ./plot
)");
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[0].executor, kSlurmExecutor);
  EXPECT_EQ(tasks[1].executor, "");
  EXPECT_EQ(tasks[2].executor, "");
}

TEST(TaskFileExecutorTest, TheDefaultsExecutorAppliesToTasksThatSayNone) {
  std::vector<TaskSpec> tasks = ParseOk("w.yaml", R"(defaults:
  executor: slurm
tasks:
  - id: sim
    command: ./sim
  - id: plot
    command: ./plot
    executor: local
)");
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0].executor, kSlurmExecutor);
  EXPECT_EQ(tasks[1].executor, "");
}

TEST(TaskFileExecutorTest, AnUnknownExecutorIsAnErrorNamingFileLineAndField) {
  testing::ParseOutcome out = Parse("w.yaml", R"(tasks:
  - id: sim
    command: ./sim
    executor: pbs
)");
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.diagnostics, ElementsAre(DiagnosticAt(4, "executor", "must be 'local' or 'slurm'")));
  EXPECT_NE(out.report.find("w.yaml:4"), std::string::npos) << out.report;
}

TEST(TaskFileExecutorTest, ThisMachineNeverFitsASlurmTaskAndSaysWhy) {
  std::vector<TaskSpec> tasks = ParseOk("w.yaml", R"(tasks:
  - id: local
    command: ./a
  - id: sim
    command: ./sim
    executor: slurm
)");
  std::vector<Diagnostic> d;
  MachineCapacity laptop;
  laptop.cores = 4;
  laptop.memory_bytes = int64_t{8} << 30;
  EXPECT_FALSE(CheckFitsMachine(tasks, laptop, &d));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].task_id, "sim");
  EXPECT_EQ(d[0].field, "executor");
  EXPECT_EQ(d[0].line, 4);
  EXPECT_NE(d[0].message.find("allot worker start --executor slurm"), std::string::npos);
}

TEST(TaskFileExecutorTest, TheExecutorSurvivesTheJournalsSpecJson) {
  std::vector<TaskSpec> tasks = ParseOk("w.json", R"([{"id": "a", "command": "true", "executor": "slurm"}])");
  ASSERT_EQ(tasks.size(), 1u);
  Result<TaskSpec> back = TaskSpecFromJsonText(TaskSpecToJson(tasks[0]).dump());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->executor, kSlurmExecutor);
  EXPECT_EQ(*back, tasks[0]);
}

}  // namespace
}  // namespace allot
