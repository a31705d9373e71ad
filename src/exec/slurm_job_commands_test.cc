#include "exec/slurm_job_commands.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "exec/captured_command.h"

namespace allot {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

LaunchRequest Request() {
  LaunchRequest r;
  r.run_id = 7;
  r.command = "./sim --seed 3 > 'out file'";
  r.cwd = "/scratch/my runs/sim-3";
  r.stdout_path = "/srv/output/sim-3/stdout";
  r.stderr_path = "/srv/output/sim-3/stderr";
  r.env = {"PATH=/usr/bin:/bin", "ALLOT_TASK_ID=sim-3", "QUOTE=it's", "ALLOT_CORES=0,1",
           "CUDA_VISIBLE_DEVICES=0", "SLURM_JOB_ID=99", "BASH_FUNC_f%%=() { :; }"};
  r.batch.task_id = "sim-3";
  r.batch.attempt = 2;
  r.batch.cores = 4;
  r.batch.memory_bytes = (int64_t{3} << 30) + 1;  // 3 GiB and a byte: 3073 MiB
  r.batch.gpus = 1;
  r.batch.time_limit = std::chrono::seconds(3600 + 10);
  return r;
}

TEST(SlurmJobCommandsTest, SbatchTranslatesTheAttemptsResources) {
  EXPECT_THAT(SlurmJobSbatchArgv(Request(), {}),
              ElementsAre("sbatch", "--parsable", "--export=NONE", "--job-name", "allot-sim-3",
                          "--chdir", "/scratch/my runs/sim-3", "--output",
                          "/srv/output/sim-3/stdout", "--error", "/srv/output/sim-3/stderr",
                          "--cpus-per-task", "4", "--mem", "3073", "--gpus", "1", "--time",
                          "61"));
}

TEST(SlurmJobCommandsTest, NoMemoryGpusOrTimeLimitLeavesThemToSlurm) {
  LaunchRequest r = Request();
  r.batch.memory_bytes = 0;
  r.batch.gpus = 0;
  r.batch.time_limit.reset();
  const std::vector<std::string> argv = SlurmJobSbatchArgv(r, {});
  for (const char* flag : {"--mem", "--gpus", "--time"}) {
    EXPECT_THAT(argv, Not(testing::Contains(flag)));
  }
}

TEST(SlurmJobCommandsTest, TagsWinOverTheWorkersPartitionAccountAndQos) {
  LaunchRequest r = Request();
  r.batch.tags = {{"partition", "gpu"}, {"qos", "high"}};
  SlurmJobDefaults d{"cpu", "epic", "normal", {"--constraint", "avx2"}};
  const std::vector<std::string> argv = SlurmJobSbatchArgv(r, d);
  const std::vector<std::string> tail(argv.end() - 8, argv.end());
  EXPECT_THAT(tail, ElementsAre("--partition", "gpu", "--account", "epic", "--qos", "high",
                                "--constraint", "avx2"));
}

TEST(SlurmJobCommandsTest, TheScriptKeepsSlurmsOwnVariablesAndQuotesTheRest) {
  const std::string s = SlurmJobScript(Request());
  EXPECT_THAT(s, HasSubstr("export PATH=/usr/bin:/bin\n"));
  EXPECT_THAT(s, HasSubstr("export QUOTE='it'\\''s'\n"));
  EXPECT_THAT(s, HasSubstr("export ALLOT_TASK_ID=sim-3\n"));
  for (const char* kept : {"SLURM_JOB_ID", "CUDA_VISIBLE_DEVICES", "ALLOT_CORES", "BASH_FUNC"}) {
    EXPECT_THAT(s, Not(HasSubstr(std::string("export ") + kept))) << kept;
  }
  EXPECT_THAT(s, HasSubstr("cd '/scratch/my runs/sim-3' || exit 126\n"));
  EXPECT_THAT(s, HasSubstr("exec /bin/sh -c './sim --seed 3 > '\\''out file'\\'''\n"));
}

TEST(SlurmJobCommandsTest, TheScriptRunsTheCommandWithItsEnvironmentInItsDirectory) {
  // The script itself, run by sh: what the job would do once Slurm starts it.
  char dir_template[] = "/tmp/allot-slurm-script-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  LaunchRequest r;
  r.cwd = dir_template;
  r.env = {"GREETING=hello 'world'", "PATH=/usr/bin:/bin"};
  r.command = "echo \"$GREETING\" > here.txt; pwd >> here.txt; exit 3";
  CapturedOutput out = RunCaptured({"sh", "-s"}, SlurmJobScript(r), std::chrono::seconds(20));
  EXPECT_EQ(out.exit_code, 3) << out.err;
  std::ifstream f(std::string(dir_template) + "/here.txt");
  std::stringstream text;
  text << f.rdbuf();
  EXPECT_EQ(text.str(), "hello 'world'\n" + std::string(dir_template) + "\n");
  std::remove((std::string(dir_template) + "/here.txt").c_str());
  rmdir(dir_template);
}

TEST(SlurmJobCommandsTest, SqueueListsTheJobsStillKnown) {
  EXPECT_THAT(SlurmJobSqueueArgv({"12", "13"}),
              ElementsAre("squeue", "-h", "-j", "12,13", "-o", "%i|%T"));
  auto jobs = ParseSlurmJobSqueue("12|RUNNING\n13|PENDING\ngarbage\n\n");
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[1], std::make_pair(std::string("13"), std::string("PENDING")));
}

TEST(SlurmJobCommandsTest, SacctGivesTheJobsStateExitCodeAndUsage) {
  // What sacct printed for a job that burned 2 s of CPU and exited 3 (Slurm 22.05).
  const char* out =
      "94|allot-x|FAILED|3:0|2|00:01.955|00:00.012|\n"
      "94.batch|batch|FAILED|3:0|2|00:01.955|00:00.012|14972K\n"
      "94.extern|extern|COMPLETED|0:0|2|00:00:00|00:00:00|1024K\n";
  auto r = ParseSacct(out, "94");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->has_value());
  const SlurmJobRecord& job = **r;
  EXPECT_EQ(job.name, "allot-x");
  EXPECT_EQ(job.state, "FAILED");
  EXPECT_EQ(job.exit_code, 3);
  EXPECT_EQ(job.signal, 0);
  EXPECT_EQ(job.elapsed, std::chrono::seconds(2));
  EXPECT_EQ(job.user_cpu, std::chrono::milliseconds(1955));
  EXPECT_EQ(job.sys_cpu, std::chrono::milliseconds(12));
  EXPECT_EQ(job.max_rss_bytes, 14972 * 1024);
  EXPECT_TRUE(job.has_usage);
}

TEST(SlurmJobCommandsTest, SacctWithoutTheJobsEndIsNotARecordYet) {
  auto running = ParseSacct("95|allot-x|RUNNING|0:0|1|00:00:00|00:00:00|\n", "95");
  ASSERT_TRUE(running.ok());
  EXPECT_FALSE(running->has_value());
  auto none = ParseSacct("", "95");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  // Another job's lines (951 is not 95) do not count.
  auto other = ParseSacct("951|allot-y|COMPLETED|0:0|1|00:00:00|00:00:00|\n", "95");
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->has_value());
}

TEST(SlurmJobCommandsTest, SacctOfACancelledJobSaysItsSignal) {
  auto r = ParseSacct(
      "101|allot-long|CANCELLED by 0|0:15|4|00:00.001|00:00.001|\n"
      "101.batch|batch|CANCELLED|0:15|4|0|0|3200K\n",
      "101");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->signal, 15);
  EXPECT_TRUE(IsFinalSlurmJobState((*r)->state));
}

TEST(SlurmJobCommandsTest, SacctLinesItCannotReadAreErrorsNamingTheLine) {
  auto r = ParseSacct("96|allot-x|COMPLETED|zero|1|0|0|\n", "96");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("sacct line 1"));
  EXPECT_FALSE(ParseSacct("96|COMPLETED\n", "96").ok());
}

TEST(SlurmJobCommandsTest, ScontrolGivesStateExitCodeAndRunTimeWithoutAccounting) {
  auto r = ParseScontrolJob(
      "JobId=94 JobName=allot-x UserId=root(0) JobState=FAILED Reason=NonZeroExitCode "
      "Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=3:0 "
      "RunTime=00:01:02 TimeLimit=00:02:00\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->state, "FAILED");
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->elapsed, std::chrono::seconds(62));
  EXPECT_FALSE(r->has_usage);
  EXPECT_FALSE(ParseScontrolJob("slurm_load_jobs error: Invalid job id specified").ok());
}

TEST(SlurmJobCommandsTest, SstatSumsItsStepsCpuAndKeepsTheLargestRss) {
  auto s = ParseSstat("167.batch|34808K|00:00:03|1\n167.0|2M|00:00:02|2\n1670.batch|9G|1|1\n",
                      "167");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->max_rss_bytes, 34808 * 1024);
  EXPECT_EQ(s->cpu, std::chrono::seconds(7));
  EXPECT_FALSE(ParseSstat("", "167").has_value());
  EXPECT_FALSE(ParseSstat("167.batch|x|y|1\n", "167").has_value());
  EXPECT_TRUE(SaysNoAccounting("sacct: error: Slurm accounting storage is disabled"));
  EXPECT_FALSE(SaysNoAccounting("sacct: error: slurmdbd: connection refused"));
}

TEST(SlurmJobCommandsTest, ScancelCancelsOnSigkillAndSignalsEveryProcessOtherwise) {
  EXPECT_THAT(SlurmJobScancelArgv("12", SIGKILL), ElementsAre("scancel", "12"));
  EXPECT_THAT(SlurmJobScancelArgv("12", SIGTERM),
              ElementsAre("scancel", "--signal=15", "--full", "12"));
}

TEST(SlurmJobCommandsTest, DurationsInEverySlurmForm) {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  EXPECT_EQ(ParseSlurmDuration("00:01.967"), Duration(milliseconds(1967)));
  EXPECT_EQ(ParseSlurmDuration("01:02:03"), Duration(seconds(3723)));
  EXPECT_EQ(ParseSlurmDuration("2-01:02:03"), Duration(seconds(2 * 86400 + 3723)));
  EXPECT_EQ(ParseSlurmDuration("1-02"), Duration(seconds(86400 + 7200)));
  EXPECT_EQ(ParseSlurmDuration("42"), Duration(seconds(42)));
  EXPECT_EQ(ParseSlurmDuration(""), std::nullopt);
  EXPECT_EQ(ParseSlurmDuration("1:2:3:4"), std::nullopt);
  EXPECT_EQ(ParseSlurmDuration("ab:cd"), std::nullopt);
}

TEST(SlurmJobCommandsTest, SizesWithSlurmsUnits) {
  EXPECT_EQ(ParseSlurmSize("14972K"), 14972 * 1024);
  EXPECT_EQ(ParseSlurmSize("1.5M"), 3 * 512 * 1024);
  EXPECT_EQ(ParseSlurmSize("2G"), int64_t{2} << 30);
  EXPECT_EQ(ParseSlurmSize("512"), 512);
  EXPECT_EQ(ParseSlurmSize(""), 0);
  EXPECT_EQ(ParseSlurmSize("lots"), std::nullopt);
}

}  // namespace
}  // namespace allot
