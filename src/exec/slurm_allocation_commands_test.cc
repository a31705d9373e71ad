#include "exec/slurm_allocation_commands.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

namespace allot {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

SbatchRequest Request() {
  SbatchRequest r;
  r.queue = "short";
  r.partition = "debug";
  r.time_limit_s = 3600 + 1;
  r.nodes = 2;
  r.workers_per_node = 1;
  r.end_margin_s = 90;
  r.extra = {"--account", "epic"};
  r.allot_binary = "/opt/allot/bin/allot";
  r.server_dir = "/home/u/my server";
  return r;
}

TEST(SlurmAllocationCommandsTest, SbatchAsksForTheQueuesShapeAndTheEndWarning) {
  EXPECT_THAT(SbatchArgv(Request()),
              ElementsAre("sbatch", "--parsable", "--job-name", "allot-short", "--partition",
                          "debug", "--time", "61", "--nodes", "2", "--ntasks-per-node", "1",
                          "--signal", "B:USR1@90", "--output",
                          "/home/u/my server/allocation-%j.out", "--account", "epic"));
  SbatchRequest dry = Request();
  dry.test_only = true;
  EXPECT_THAT(SbatchArgv(dry), testing::Contains("--test-only"));
}

TEST(SlurmAllocationCommandsTest, TheScriptStartsAWorkerPerTaskWithQuotedPaths) {
  const std::string script = SbatchScript(Request());
  EXPECT_THAT(script, testing::StartsWith("#!/bin/sh\n"));
  EXPECT_THAT(script, HasSubstr("\nsrun --kill-on-bad-exit=0 /opt/allot/bin/allot worker start "
                                "--server-dir '/home/u/my server' --end-margin 90s --resource "
                                "queue:short=1073741824 &\n"));
  // The end warning stays with the batch shell: srun would pass it on to every process of its
  // step, the workers' tasks too.
  EXPECT_THAT(script, HasSubstr("trap '"));
  EXPECT_THAT(script, HasSubstr("' USR1\n"));
  EXPECT_THAT(script, testing::Not(HasSubstr("exec srun")));
}

TEST(SlurmAllocationCommandsTest, SbatchParsableGivesTheJobIdWithOrWithoutCluster) {
  EXPECT_EQ(*ParseSbatchParsable("1234\n"), "1234");
  EXPECT_EQ(*ParseSbatchParsable("77;cluster2\n"), "77");
  Result<std::string> bad = ParseSbatchParsable("Submitted batch job x\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("'Submitted batch job x'"));
}

TEST(SlurmAllocationCommandsTest, SqueueRowsWithUnknownTimesAndReasons) {
  setenv("TZ", "UTC", 1);
  tzset();
  Result<std::vector<SqueueRow>> rows = ParseSqueue(
      "12|PENDING|N/A|N/A|(Priority)\n"
      "13|RUNNING|2026-12-03T14:00:00|2026-12-03T15:00:00|n[1-2]\n\n");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].state, "PENDING");
  EXPECT_FALSE((*rows)[0].start_epoch);
  EXPECT_EQ((*rows)[0].reason, "(Priority)");
  EXPECT_EQ((*rows)[1].start_epoch, 1796306400);
  EXPECT_EQ(*(*rows)[1].end_epoch - *(*rows)[1].start_epoch, 3600);
  EXPECT_EQ((*rows)[1].reason, "n[1-2]");
  EXPECT_THAT(SqueueArgv({"12", "13"}),
              ElementsAre("squeue", "-h", "-j", "12,13", "-o", "%i|%T|%S|%e|%R"));
}

TEST(SlurmAllocationCommandsTest, AnUnreadableSqueueLineIsNamed) {
  Result<std::vector<SqueueRow>> rows = ParseSqueue("12|RUNNING|yesterday|N/A|n1\n");
  ASSERT_FALSE(rows.ok());
  EXPECT_THAT(rows.status().message(), HasSubstr("squeue line 1"));
}

TEST(SlurmAllocationCommandsTest, SbatchErrorsLoseTheirPrefix) {
  EXPECT_EQ(SbatchError("sbatch: error: invalid partition specified: nope\n", 1),
            "invalid partition specified: nope");
  EXPECT_EQ(SbatchError("", 1), "sbatch exited with 1 and said nothing");
}

}  // namespace
}  // namespace allot

namespace allot {
namespace {

TEST(SlurmAllocationCommandsTest, CpusPerWorkerAreAskedOfTheJobAndAgainOfTheStep) {
  SbatchRequest r = Request();
  r.cpus_per_worker = 4;
  std::vector<std::string> argv = SbatchArgv(r);
  auto it = std::find(argv.begin(), argv.end(), "--cpus-per-task");
  ASSERT_NE(it, argv.end());
  EXPECT_EQ(*(it + 1), "4");
  EXPECT_THAT(SbatchScript(r), HasSubstr("srun --kill-on-bad-exit=0 --cpus-per-task 4 "));
}

TEST(SlurmAllocationCommandsTest, SinfoGivesThePartitionsSmallestNode) {
  EXPECT_THAT(SinfoArgv("debug"), ElementsAre("sinfo", "-h", "-p", "debug", "-o", "%c|%m|%G"));
  EXPECT_THAT(SinfoArgv(""), ElementsAre("sinfo", "-h", "-o", "%c|%m|%G"));
  Result<SinfoNode> n = ParseSinfo("64|256000|gpu:a100:4(S:0-1)\n32|128000+|(null)\n");
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(n->cpus, 32);
  EXPECT_EQ(n->memory_bytes, int64_t{128000} * 1024 * 1024);
  EXPECT_EQ(n->gpus, 0);
  Result<SinfoNode> gpu = ParseSinfo("8|1000|gpu:2,license:1\n");
  ASSERT_TRUE(gpu.ok());
  EXPECT_EQ(gpu->gpus, 2);
  Result<SinfoNode> none = ParseSinfo("");
  ASSERT_FALSE(none.ok());
  EXPECT_THAT(none.status().message(), HasSubstr("no node"));
}

}  // namespace
}  // namespace allot
