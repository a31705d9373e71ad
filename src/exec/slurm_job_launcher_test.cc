// SlurmJobLauncher's bookkeeping against a stand-in for the Slurm commands (what sbatch,
// squeue, sacct, scontrol and scancel print, as Slurm 22.05 prints it). The real commands run
// in tests/e2e/test_slurm_jobs.py.
#include "exec/slurm_job_launcher.h"

#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

namespace allot {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

// A scripted Slurm: answers each command from its state; called on the launcher's thread.
class FakeSlurm {
 public:
  CapturedOutput Run(const std::vector<std::string>& argv, const std::string& in) {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back(argv);
    const std::string& cmd = argv.at(0);
    if (cmd == "sbatch") {
      script_ = in;
      return sbatch;
    }
    if (cmd == "squeue") return {0, running ? "42|RUNNING\n" : "", ""};
    if (cmd == "scancel") {
      running = false;
      return {0, "", ""};
    }
    if (cmd == "sacct") {
      CapturedOutput out = sacct.at(std::min(sacct_calls_, sacct.size() - 1));
      ++sacct_calls_;
      return out;
    }
    if (cmd == "scontrol") return scontrol;
    if (cmd == "sstat") {
      if (end_after_sstat) running = false;  // sampled once, then it ends
      return sstat;
    }
    return {127, "", "no such command"};
  }
  std::vector<std::vector<std::string>> calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  std::string script() {
    std::lock_guard<std::mutex> lock(mu_);
    return script_;
  }
  size_t CallsOf(const std::string& cmd) {
    size_t n = 0;
    for (const auto& c : calls()) n += c.at(0) == cmd;
    return n;
  }

  // Set before the launcher starts.
  CapturedOutput sbatch{0, "42;allot\n", ""};
  bool running = false;  // squeue lists job 42 (until scancel)
  std::vector<CapturedOutput> sacct = {
      {0, "42|allot-t|COMPLETED|0:0|3|00:02.500|00:00.100|\n42.batch|batch|COMPLETED|0:0|3|0|0|2048K\n",
       ""}};
  CapturedOutput scontrol{1, "", "slurm_load_jobs error: Invalid job id specified"};
  CapturedOutput sstat{1, "", "sstat: error: couldn't get steps for job 42"};
  bool end_after_sstat = false;

 private:
  std::mutex mu_;
  std::vector<std::vector<std::string>> calls_;
  std::string script_;
  size_t sacct_calls_ = 0;
};

class SlurmJobLauncherTest : public ::testing::Test {
 protected:
  void Start(Duration accounting_wait = std::chrono::hours(1)) {
    SlurmJobLauncherOptions o;
    o.poll_interval = std::chrono::milliseconds(5);
    o.accounting_wait = accounting_wait;
    o.run = [this](const std::vector<std::string>& argv, const std::string& in) {
      return slurm_.Run(argv, in);
    };
    auto l = SlurmJobLauncher::Create(std::move(o));
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    launcher_ = std::move(*l);
  }
  LaunchRequest Request() {
    LaunchRequest r;
    r.run_id = 9;
    r.command = "./sim";
    r.cwd = "/tmp";
    r.stdout_path = stderr_path_ + ".out";
    r.stderr_path = stderr_path_;
    r.batch.task_id = "t";
    r.batch.cores = 2;
    return r;
  }
  // Waits (on the launcher's ReadyFd) for the one exit; fails after a minute.
  ProcessExit NextExit() {
    std::vector<ProcessExit> exits;
    for (int i = 0; i < 600 && exits.empty(); ++i) {
      pollfd p{launcher_->ReadyFd(), POLLIN, 0};
      poll(&p, 1, 100);
      launcher_->CollectExits(&exits);
    }
    EXPECT_EQ(exits.size(), 1u);
    return exits.empty() ? ProcessExit{} : exits[0];
  }
  void TearDown() override { std::remove(stderr_path_.c_str()); }

  FakeSlurm slurm_;
  std::unique_ptr<SlurmJobLauncher> launcher_;
  // Per process: ctest runs each test of this file as a process of its own, at once.
  std::string stderr_path_ = ::testing::TempDir() + "slurm_job_launcher_test." +
                             std::to_string(getpid()) + ".stderr";
};

TEST_F(SlurmJobLauncherTest, AJobThatLeftTheQueueEndsWithSacctsRecord) {
  Start();
  ASSERT_TRUE(launcher_->Launch(Request()).ok());
  EXPECT_EQ(launcher_->running(), 1u);
  ProcessExit e = NextExit();
  EXPECT_EQ(e.run_id, 9u);
  EXPECT_EQ(e.usage.slurm_job, "42");
  EXPECT_EQ(e.usage.exit_code, 0);
  EXPECT_EQ(e.usage.wall, std::chrono::seconds(3));
  EXPECT_EQ(e.usage.user_cpu, std::chrono::milliseconds(2500));
  EXPECT_EQ(e.usage.max_rss_bytes, 2048 * 1024);
  EXPECT_EQ(launcher_->running(), 0u);
  EXPECT_THAT(slurm_.calls().front(), Contains("allot-t"));
  EXPECT_THAT(slurm_.script(), HasSubstr("exec /bin/sh -c ./sim"));
}

TEST_F(SlurmJobLauncherTest, RelativePathsReachSbatchAbsolute) {
  Start();
  LaunchRequest r = Request();
  r.cwd = "runs/../runs/a";
  r.stdout_path = "out/a/stdout";
  ASSERT_TRUE(launcher_->Launch(r).ok());
  NextExit();
  const std::vector<std::string> sbatch = slurm_.calls().front();
  const std::string cwd = std::filesystem::current_path().string();
  auto after = [&](const std::string& flag) {
    auto it = std::find(sbatch.begin(), sbatch.end(), flag);
    return it != sbatch.end() && it + 1 != sbatch.end() ? *(it + 1) : std::string();
  };
  EXPECT_EQ(after("--chdir"), cwd + "/runs/a");
  EXPECT_EQ(after("--output"), cwd + "/out/a/stdout");
}

TEST_F(SlurmJobLauncherTest, AFailedSbatchEndsTheAttemptAs127WithSbatchsError) {
  slurm_.sbatch = {1, "", "sbatch: error: Invalid partition name specified\n"};
  Start();
  ASSERT_TRUE(launcher_->Launch(Request()).ok());
  ProcessExit e = NextExit();
  EXPECT_EQ(e.usage.exit_code, 127);
  EXPECT_EQ(e.usage.stderr_tail, "sbatch failed: Invalid partition name specified");
  EXPECT_EQ(e.usage.slurm_job, "");
  std::ifstream f(stderr_path_);
  std::stringstream text;
  text << f.rdbuf();
  EXPECT_THAT(text.str(), HasSubstr("allot: sbatch failed: Invalid partition name specified"));
}

TEST_F(SlurmJobLauncherTest, SacctIsAskedAgainUntilItHasTheJobsEnd) {
  slurm_.sacct = {{0, "42|allot-t|RUNNING|0:0|3|00:00:00|00:00:00|\n", ""},
                  {0, "", ""},
                  // slurmdbd has its end before its start: not the record yet
                  {0, "42|allocation|FAILED|5:0|4|00:00:00|00:00:00|\n", ""},
                  {0, "42|allot-t|FAILED|5:0|4|00:01.000|00:00.000|\n", ""}};
  Start();
  ASSERT_TRUE(launcher_->Launch(Request()).ok());
  ProcessExit e = NextExit();
  EXPECT_EQ(e.usage.exit_code, 5);
  EXPECT_EQ(slurm_.CallsOf("sacct"), 4u);
  EXPECT_EQ(slurm_.CallsOf("scontrol"), 0u);
}

TEST_F(SlurmJobLauncherTest, WithoutAccountingScontrolSaysHowItEnded) {
  slurm_.sacct = {{1, "", "sacct: error: Slurm accounting storage is disabled\n"}};
  slurm_.scontrol = {0, "JobId=42 JobState=FAILED Reason=NonZeroExitCode ExitCode=2:0 "
                        "RunTime=00:00:05\n", ""};
  Start();
  ASSERT_TRUE(launcher_->Launch(Request()).ok());
  ProcessExit e = NextExit();
  EXPECT_EQ(e.usage.exit_code, 2);
  EXPECT_EQ(e.usage.wall, std::chrono::seconds(5));
  EXPECT_EQ(e.usage.slurm_job, "42");
}

TEST_F(SlurmJobLauncherTest, WithoutAccountingTheLastSstatSampleIsTheUsage) {
  slurm_.running = true;
  slurm_.end_after_sstat = true;
  slurm_.sacct = {{1, "", "sacct: error: Slurm accounting storage is disabled\n"}};
  slurm_.sstat = {0, "42.batch|34808K|00:00:03|1\n42.0|1024K|00:00:02|2\n", ""};
  slurm_.scontrol = {0, "JobId=42 JobState=COMPLETED ExitCode=0:0 RunTime=00:00:06\n", ""};
  Start();
  ASSERT_TRUE(launcher_->Launch(Request()).ok());
  ProcessExit e = NextExit();
  EXPECT_EQ(e.usage.exit_code, 0);
  EXPECT_EQ(e.usage.wall, std::chrono::seconds(6));
  EXPECT_EQ(e.usage.user_cpu, std::chrono::seconds(3 + 2 * 2));
  EXPECT_EQ(e.usage.max_rss_bytes, 34808 * 1024);
}

TEST_F(SlurmJobLauncherTest, AJobNobodyKnowsEndsFailedSayingSoInItsStderr) {
  slurm_.sacct = {{0, "", ""}};
  Start(/*accounting_wait=*/Duration(0));
  ASSERT_TRUE(launcher_->Launch(Request()).ok());
  ProcessExit e = NextExit();
  EXPECT_EQ(e.usage.exit_code, 1);
  std::ifstream f(stderr_path_);
  std::stringstream text;
  text << f.rdbuf();
  EXPECT_THAT(text.str(), HasSubstr("Slurm job 42 ended, but neither sacct nor scontrol"));
}

TEST_F(SlurmJobLauncherTest, SigkillCancelsTheJobAndItsExitSaysTheSignal) {
  slurm_.running = true;
  slurm_.sacct = {{0, "42|allot-t|CANCELLED by 0|0:0|7|00:00:00|00:00:00|\n", ""}};
  Start();
  ASSERT_TRUE(launcher_->Launch(Request()).ok());
  ASSERT_TRUE(launcher_->Signal(9, SIGKILL).ok());
  ProcessExit e = NextExit();
  EXPECT_EQ(e.usage.term_signal, SIGKILL);
  EXPECT_EQ(e.usage.exit_code, -1);
  std::vector<std::string> scancel;
  for (const auto& c : slurm_.calls()) {
    if (c.at(0) == "scancel") scancel = c;
  }
  EXPECT_EQ(scancel, (std::vector<std::string>{"scancel", "42"}));
}

}  // namespace
}  // namespace allot
