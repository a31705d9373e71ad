// The usage a launcher reports for an attempt: wall time, CPU time and peak memory, checked
// against what the test task is told to consume, with loose bounds.
#include <gtest/gtest.h>

#include "exec/launcher_itest_support.h"
#include "exec/posix_process_launcher.h"

namespace allot {
namespace {

using exec_itest::CurrentEnv;
using exec_itest::ExitWaiter;
using exec_itest::TempDir;
using exec_itest::TestTaskPath;

class AttemptUsageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto launcher = PosixProcessLauncher::Create();
    ASSERT_TRUE(launcher.ok()) << launcher.status().ToString();
    launcher_ = std::move(*launcher);
  }

  AttemptUsage Run(const std::string& flags) {
    LaunchRequest request;
    request.run_id = 1;
    request.command = TestTaskPath() + " " + flags;
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
  constexpr int64_t kMiB = 1 << 20;
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

}  // namespace
}  // namespace allot
