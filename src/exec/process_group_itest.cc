// A task's whole process group lives and dies with it: signals reach every process of the
// group, and processes a task leaves behind are killed when it exits.
#include <gtest/gtest.h>
#include <signal.h>

#include "exec/launcher_itest_support.h"
#include "exec/posix_process_launcher.h"

namespace allot {
namespace {

using exec_itest::CurrentEnv;
using exec_itest::ExitWaiter;
using exec_itest::IsAlive;
using exec_itest::ReadPidFile;
using exec_itest::TempDir;
using exec_itest::TestTaskPath;
using exec_itest::WaitForProcessExit;

class ProcessGroupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto launcher = PosixProcessLauncher::Create();
    ASSERT_TRUE(launcher.ok()) << launcher.status().ToString();
    launcher_ = std::move(*launcher);
    waiter_ = std::make_unique<ExitWaiter>(launcher_.get());
  }

  Status Launch(RunId run_id, const std::string& flags) {
    LaunchRequest request;
    request.run_id = run_id;
    request.command = TestTaskPath() + " --pidfile " + Pidfile() + " " + flags;
    request.cwd = dir_.path();
    request.env = CurrentEnv();
    request.stdout_path = dir_.File("out");
    request.stderr_path = dir_.File("err");
    return launcher_->Launch(request);
  }

  std::string Pidfile() const { return dir_.File("pid"); }

  TempDir dir_;
  std::unique_ptr<PosixProcessLauncher> launcher_;
  std::unique_ptr<ExitWaiter> waiter_;
};

TEST_F(ProcessGroupTest, SignalReachesTheGrandchild) {
  ASSERT_TRUE(Launch(1, "--grandchild 600 --sleep 600").ok());
  pid_t grandchild = ReadPidFile(Pidfile() + ".grandchild");
  ASSERT_GT(grandchild, 0);
  ASSERT_TRUE(IsAlive(grandchild));

  ASSERT_TRUE(launcher_->Signal(1, SIGTERM).ok());
  auto exit = waiter_->Wait(1);
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->usage.term_signal, SIGTERM);
  EXPECT_TRUE(WaitForProcessExit(grandchild));
}

TEST_F(ProcessGroupTest, StrayProcessesAreKilledWhenTheLeaderExits) {
  ASSERT_TRUE(Launch(1, "--grandchild 600 --exit 4").ok());
  auto exit = waiter_->Wait(1);
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->usage.exit_code, 4);
  // The leader waited for the grandchild's pidfile before exiting.
  pid_t grandchild = ReadPidFile(Pidfile() + ".grandchild");
  ASSERT_GT(grandchild, 0);
  EXPECT_TRUE(WaitForProcessExit(grandchild));
  EXPECT_EQ(launcher_->running(), 0u);
}

TEST_F(ProcessGroupTest, StraysThatIgnoreTermAreStillKilled) {
  ASSERT_TRUE(Launch(1, "--ignore-term --grandchild 600 --exit 0").ok());
  ASSERT_TRUE(waiter_->Wait(1).has_value());
  pid_t grandchild = ReadPidFile(Pidfile() + ".grandchild");
  ASSERT_GT(grandchild, 0);
  EXPECT_TRUE(WaitForProcessExit(grandchild));
}

TEST_F(ProcessGroupTest, AdoptedOrphansAreReapedAndNotReported) {
  ASSERT_TRUE(Launch(1, "--grandchild 600 --exit 0").ok());
  ASSERT_TRUE(waiter_->Wait(1).has_value());
  pid_t grandchild = ReadPidFile(Pidfile() + ".grandchild");
  ASSERT_GT(grandchild, 0);
  ASSERT_TRUE(WaitForProcessExit(grandchild));
  waiter_->Collect();  // reaps the killed orphan, which this process adopted as subreaper
  EXPECT_TRUE(waiter_->TakeSeen().empty());
  EXPECT_EQ(kill(grandchild, 0), -1) << "the zombie is gone";
}

TEST_F(ProcessGroupTest, KillReachesATaskThatIgnoresTerm) {
  ASSERT_TRUE(Launch(1, "--ignore-term --grandchild 600 --sleep 600").ok());
  pid_t grandchild = ReadPidFile(Pidfile() + ".grandchild");
  ASSERT_GT(grandchild, 0);
  ASSERT_TRUE(launcher_->Signal(1, SIGTERM).ok());
  ASSERT_TRUE(launcher_->Signal(1, SIGKILL).ok());
  auto exit = waiter_->Wait(1);
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->usage.term_signal, SIGKILL);
  EXPECT_TRUE(WaitForProcessExit(grandchild));
}

TEST_F(ProcessGroupTest, DestroyingTheLauncherKillsRunningTasks) {
  ASSERT_TRUE(Launch(1, "--sleep 600").ok());
  pid_t pid = ReadPidFile(Pidfile());
  ASSERT_GT(pid, 0);
  launcher_.reset();
  EXPECT_EQ(kill(pid, 0), -1) << "killed and reaped";
}

}  // namespace
}  // namespace allot
