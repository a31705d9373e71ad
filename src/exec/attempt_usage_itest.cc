// The usage a launcher reports for an attempt: wall time, CPU time, peak memory of the process
// tree, cores, I/O and memory limits, checked against what real test tasks are told to consume.
#include <gtest/gtest.h>

#include <csignal>

#include "exec/launcher_itest_support.h"
#include "exec/posix_process_launcher.h"

namespace allot {
namespace {

using exec_itest::CurrentEnv;
using exec_itest::ExitWaiter;
using exec_itest::TempDir;
using exec_itest::TestTaskPath;

constexpr int64_t kMiB = 1 << 20;

class AttemptUsageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto launcher = PosixProcessLauncher::Create();
    ASSERT_TRUE(launcher.ok()) << launcher.status().ToString();
    launcher_ = std::move(*launcher);
  }

  AttemptUsage Run(const std::string& flags, int64_t memory_limit_bytes = 0) {
    return RunCommand(TestTaskPath() + " " + flags, memory_limit_bytes);
  }

  AttemptUsage RunCommand(const std::string& command, int64_t memory_limit_bytes = 0) {
    LaunchRequest request;
    request.run_id = 1;
    request.command = command;
    request.memory_limit_bytes = memory_limit_bytes;
    request.cwd = dir_.path();
    request.env = CurrentEnv();
    Status status = launcher_->Launch(request);
    EXPECT_TRUE(status.ok()) << status.ToString();
    ExitWaiter waiter(launcher_.get());
    auto exit = waiter.Wait(1);
    EXPECT_TRUE(exit.has_value());
    return exit ? exit->usage : AttemptUsage{};
  }

  TempDir dir_;
  std::unique_ptr<PosixProcessLauncher> launcher_;
};

TEST_F(AttemptUsageTest, CpuTimeMatchesTheSpin) {
  AttemptUsage usage = Run("--spin 0.5");
  EXPECT_EQ(usage.exit_code, 0);
  EXPECT_GE(usage.user_cpu + usage.sys_cpu, FromSeconds(0.45));
  EXPECT_LE(usage.user_cpu + usage.sys_cpu, FromSeconds(5));
  EXPECT_GE(usage.wall, usage.user_cpu) << "a single thread cannot use more CPU than wall";
}

TEST_F(AttemptUsageTest, WallTimeCoversTheSleep) {
  AttemptUsage usage = Run("--sleep 0.2");
  EXPECT_GE(usage.wall, FromSeconds(0.2));
  EXPECT_LE(usage.user_cpu, FromSeconds(0.2));
}

TEST_F(AttemptUsageTest, PeakRssMatchesTheAllocation) {
  AttemptUsage usage = Run("--alloc-mib 64");
  EXPECT_GE(usage.max_rss_bytes, 64 * kMiB);
  EXPECT_LE(usage.max_rss_bytes, 64 * kMiB + 200 * kMiB);
}

TEST_F(AttemptUsageTest, PeakRssOfASmallTaskIsSmall) {
  // The spawn (clone with CLONE_VM) shares this process's memory until exec; that must not
  // count as the task's.
  AttemptUsage usage = Run("");
  EXPECT_GT(usage.max_rss_bytes, 0);
  EXPECT_LE(usage.max_rss_bytes, int64_t{32} << 20);
}

TEST_F(AttemptUsageTest, SampledPeakRssIsWithinTenPercentOfAHeldAllocation) {
  AttemptUsage usage = Run("--alloc-mib 200 --sleep 1");
  EXPECT_GE(usage.max_rss_bytes, 200 * kMiB);
  EXPECT_LE(usage.max_rss_bytes, 220 * kMiB);
}

TEST_F(AttemptUsageTest, PeakRssOfATreeIsTheSumOverItsProcesses) {
  // Two processes of 80 MiB each at once: wait4 sees the larger one, sampling the sum.
  std::string task = TestTaskPath() + " --alloc-mib 80 --sleep 1.5";
  AttemptUsage usage = RunCommand(task + " & " + task + "; wait");
  EXPECT_EQ(usage.exit_code, 0);
  EXPECT_GE(usage.max_rss_bytes, 160 * kMiB);
  EXPECT_LE(usage.max_rss_bytes, 180 * kMiB);
}

TEST_F(AttemptUsageTest, CpuTimeIsWithinTenPercentOfTheSpinAndPeakCoresNearOne) {
  AttemptUsage usage = Run("--spin 1.5");
  Duration cpu = usage.user_cpu + usage.sys_cpu;
  EXPECT_GE(cpu, FromSeconds(1.5));
  EXPECT_LE(cpu, FromSeconds(1.65));
  // One busy thread: at most one core, whatever else the machine does.
  EXPECT_GT(usage.peak_cores, 0.0);
  EXPECT_LE(usage.peak_cores, 1.1);
}

TEST_F(AttemptUsageTest, CpuOfChildrenTheShellWaitedForCountsOnce) {
  std::string task = TestTaskPath() + " --spin 0.6";
  AttemptUsage usage = RunCommand(task + "; " + task);
  Duration cpu = usage.user_cpu + usage.sys_cpu;
  EXPECT_GE(cpu, FromSeconds(1.2));
  EXPECT_LE(cpu, FromSeconds(1.35));
}

TEST_F(AttemptUsageTest, WrittenBytesCountTheTreeOnce) {
  // Two children of the shell write 5 MB each; the shell's own io includes them once it waited
  // for them, and they must not count twice.
  std::string task = TestTaskPath() + " --stdout-bytes 5000000 --sleep 0.3";
  AttemptUsage usage = RunCommand(task + "; " + task);
  EXPECT_GE(usage.write_bytes, 10'000'000);
  EXPECT_LE(usage.write_bytes, 10'100'000);
}

TEST_F(AttemptUsageTest, AShortTaskStillReportsItsWrites) {
  // Over before the first sample: the leader's zombie tells its I/O.
  AttemptUsage usage = Run("--stdout-bytes 1000000");
  EXPECT_GE(usage.write_bytes, 1'000'000);
  EXPECT_LE(usage.write_bytes, 1'010'000);
}

TEST_F(AttemptUsageTest, TreeAboveItsMemoryLimitIsKilledAndSaysSo) {
  AttemptUsage usage = Run("--alloc-mib 200 --sleep 60", 64 * kMiB);
  EXPECT_EQ(usage.term_signal, SIGKILL);
  EXPECT_TRUE(usage.memory_exceeded);
  EXPECT_GT(usage.max_rss_bytes, 64 * kMiB);
  EXPECT_LT(usage.wall, FromSeconds(60));
}

TEST_F(AttemptUsageTest, TreeBelowItsMemoryLimitRunsToItsEnd) {
  AttemptUsage usage = Run("--alloc-mib 32 --sleep 0.6", 256 * kMiB);
  EXPECT_EQ(usage.exit_code, 0);
  EXPECT_FALSE(usage.memory_exceeded);
}

TEST(AttemptUsageWithoutSamplingTest, ReportsRusageOnlyAndEnforcesNoLimit) {
  PosixLauncherOptions options;
  options.sample_interval = Duration(0);
  auto launcher = PosixProcessLauncher::Create(options);
  ASSERT_TRUE(launcher.ok()) << launcher.status().ToString();
  EXPECT_FALSE((*launcher)->NextSampleDue().has_value());
  TempDir dir;
  LaunchRequest request;
  request.run_id = 7;
  request.command = TestTaskPath() + " --alloc-mib 64 --sleep 0.3";
  request.cwd = dir.path();
  request.env = CurrentEnv();
  request.memory_limit_bytes = 16 * kMiB;
  ASSERT_TRUE((*launcher)->Launch(request).ok());
  EXPECT_FALSE((*launcher)->NextSampleDue().has_value());
  ExitWaiter waiter(launcher->get());
  auto exit = waiter.Wait(7);
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->usage.exit_code, 0);
  EXPECT_FALSE(exit->usage.memory_exceeded);
  EXPECT_GE(exit->usage.max_rss_bytes, 64 * kMiB);
}

}  // namespace
}  // namespace allot
