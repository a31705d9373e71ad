// No process a task starts outlives the task: processes that leave the attempt's process group
// (setsid, setpgid, a daemon's double fork), with or without the attempt's environment, are
// killed when the attempt ends, before its exit is reported; those of other attempts are left
// alone; and what they use while they live counts in the attempt's usage.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <string>
#include <thread>

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
using exec_itest::WaitForFile;
using exec_itest::WaitForProcessExit;

constexpr int64_t kMiB = 1 << 20;

class EscapedDescendantsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto launcher = PosixProcessLauncher::Create();
    ASSERT_TRUE(launcher.ok()) << launcher.status().ToString();
    launcher_ = std::move(*launcher);
    waiter_ = std::make_unique<ExitWaiter>(launcher_.get());
  }

  // Runs `command` as attempt `run_id`, tagged as the worker tags attempts.
  Status Launch(RunId run_id, const std::string& command, int64_t memory_limit_bytes = 0) {
    LaunchRequest request;
    request.run_id = run_id;
    request.command = command;
    request.cwd = dir_.path();
    request.env = CurrentEnv();
    request.env_tag = "ALLOT_EXECUTION_ID=run-" + std::to_string(run_id);
    request.env.push_back(request.env_tag);
    request.stdout_path = dir_.File("out." + std::to_string(run_id));
    request.stderr_path = dir_.File("err." + std::to_string(run_id));
    request.memory_limit_bytes = memory_limit_bytes;
    return launcher_->Launch(request);
  }

  // allot-test-task with a pidfile named after `name`, and `flags`.
  std::string Task(const std::string& name, const std::string& flags) const {
    return TestTaskPath() + " --pidfile " + Pidfile(name) + " " + flags;
  }
  std::string Pidfile(const std::string& name) const { return dir_.File(name + ".pid"); }
  // The pid of the process that `name`'s task detached (--detach).
  pid_t DetachedPid(const std::string& name) const {
    return ReadPidFile(Pidfile(name) + ".detached");
  }

  TempDir dir_;
  std::unique_ptr<PosixProcessLauncher> launcher_;
  std::unique_ptr<ExitWaiter> waiter_;
};

class DetachModeTest : public EscapedDescendantsTest,
                       public ::testing::WithParamInterface<const char*> {};

TEST_P(DetachModeTest, DetachedProcessIsGoneWhenTheExitIsReported) {
  ASSERT_TRUE(Launch(1, Task("a", std::string("--detach ") + GetParam() + " --exit 3")).ok());
  auto exit = waiter_->Wait(1);
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->usage.exit_code, 3);
  pid_t detached = DetachedPid("a");
  ASSERT_GT(detached, 0);
  EXPECT_FALSE(IsAlive(detached)) << GetParam() << ": process " << detached << " outlived its task";
}

TEST_P(DetachModeTest, DetachedProcessWithoutTheTaskEnvironmentIsGoneToo) {
  ASSERT_TRUE(Launch(1, Task("a", std::string("--detach ") + GetParam() +
                                      " --detach-empty-env --exit 0"))
                  .ok());
  ASSERT_TRUE(waiter_->Wait(1).has_value());
  pid_t detached = DetachedPid("a");
  ASSERT_GT(detached, 0);
  EXPECT_FALSE(IsAlive(detached)) << GetParam() << ": process " << detached << " outlived its task";
}

TEST_P(DetachModeTest, DetachedProcessIsGoneWhenTheTaskIsKilled) {
  ASSERT_TRUE(Launch(1, Task("a", std::string("--detach ") + GetParam() + " --sleep 600")).ok());
  pid_t detached = DetachedPid("a");
  ASSERT_GT(detached, 0);
  ASSERT_TRUE(WaitForFile(Pidfile("a") + ".detached.ready"));
  ASSERT_TRUE(launcher_->Signal(1, SIGTERM).ok());
  auto exit = waiter_->Wait(1);
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->usage.term_signal, SIGTERM);
  EXPECT_FALSE(IsAlive(detached)) << GetParam() << ": process " << detached << " outlived its task";
}

TEST_P(DetachModeTest, CpuOfTheDetachedProcessCountsInTheAttemptsUsage) {
  // The task outlives the spin by 2.5 s, so at least two samples see the detached process.
  ASSERT_TRUE(Launch(1, Task("a", std::string("--detach ") + GetParam() +
                                      " --detach-spin 1 --sleep 2.5"))
                  .ok());
  auto exit = waiter_->Wait(1);
  ASSERT_TRUE(exit.has_value());
  EXPECT_GE(exit->usage.user_cpu + exit->usage.sys_cpu, FromSeconds(0.9)) << GetParam();
}

// The state letter of /proc/<pid>/stat, once `wanted(state)` holds; '?' after the patience.
template <class Predicate>
char WaitForState(pid_t pid, Predicate wanted) {
  auto deadline = std::chrono::steady_clock::now() + exec_itest::kPatience;
  while (std::chrono::steady_clock::now() < deadline) {
    std::string stat = exec_itest::ReadFile("/proc/" + std::to_string(pid) + "/stat");
    size_t paren = stat.rfind(')');
    char state = paren != std::string::npos && paren + 2 < stat.size() ? stat[paren + 2] : '?';
    if (wanted(state)) return state;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return '?';
}

TEST_P(DetachModeTest, PausingTheAttemptStopsTheDetachedProcessToo) {
  ASSERT_TRUE(Launch(1, Task("a", std::string("--detach ") + GetParam() + " --sleep 600")).ok());
  pid_t detached = DetachedPid("a");
  ASSERT_GT(detached, 0);
  ASSERT_TRUE(WaitForFile(Pidfile("a") + ".detached.ready"));
  ASSERT_TRUE(launcher_->Signal(1, SIGSTOP).ok());
  EXPECT_EQ(WaitForState(detached, [](char s) { return s == 'T'; }), 'T') << GetParam();
  ASSERT_TRUE(launcher_->Signal(1, SIGCONT).ok());
  EXPECT_EQ(WaitForState(detached, [](char s) { return s == 'S' || s == 'R'; }) != '?', true)
      << GetParam() << ": still stopped after SIGCONT";
  ASSERT_TRUE(launcher_->Signal(1, SIGKILL).ok());
  ASSERT_TRUE(waiter_->Wait(1).has_value());
  EXPECT_FALSE(IsAlive(detached));
}

INSTANTIATE_TEST_SUITE_P(Modes, DetachModeTest,
                         ::testing::Values("setsid", "setpgid", "double-fork"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::erase(name, '-');
                           return name;
                         });

TEST_F(EscapedDescendantsTest, TheWholeSubtreeOfADetachedProcessIsKilled) {
  // A shell in a new session starts two more processes; the task ends once they run.
  std::string inner = Task("c1", "--sleep 600") + " & " + Task("c2", "--sleep 600") + "; wait";
  ASSERT_TRUE(Launch(1, "setsid sh -c '" + inner + "' & " + TestTaskPath() + " --sleep 600").ok());
  pid_t c1 = ReadPidFile(Pidfile("c1"));
  pid_t c2 = ReadPidFile(Pidfile("c2"));
  ASSERT_GT(c1, 0);
  ASSERT_GT(c2, 0);
  ASSERT_TRUE(launcher_->Signal(1, SIGKILL).ok());
  ASSERT_TRUE(waiter_->Wait(1).has_value());
  EXPECT_FALSE(IsAlive(c1));
  EXPECT_FALSE(IsAlive(c2));
}

TEST_F(EscapedDescendantsTest, ProcessesOfARunningAttemptSurviveTheEndOfAnother) {
  ASSERT_TRUE(Launch(1, Task("a", "--detach double-fork --detach-empty-env --sleep 600")).ok());
  ASSERT_TRUE(Launch(2, Task("b", "--detach double-fork --sleep 600")).ok());
  pid_t a = DetachedPid("a");
  pid_t b = DetachedPid("b");
  ASSERT_GT(a, 0);
  ASSERT_GT(b, 0);
  ASSERT_TRUE(WaitForFile(Pidfile("a") + ".detached.ready"));
  ASSERT_TRUE(WaitForFile(Pidfile("b") + ".detached.ready"));
  waiter_->SampleIfDue();
  ASSERT_TRUE(launcher_->Signal(2, SIGKILL).ok());
  ASSERT_TRUE(waiter_->Wait(2).has_value());
  EXPECT_FALSE(IsAlive(b)) << "attempt 2's detached process outlived it";
  EXPECT_TRUE(IsAlive(a)) << "attempt 1 runs: its detached process must too";
  ASSERT_TRUE(launcher_->Signal(1, SIGKILL).ok());
  ASSERT_TRUE(waiter_->Wait(1).has_value());
  EXPECT_FALSE(IsAlive(a)) << "attempt 1's detached process outlived it";
}

TEST_F(EscapedDescendantsTest, MemoryOfADetachedProcessCountsTowardsTheLimit) {
  std::string hog = Task("hog", "--alloc-mib 200 --sleep 600");
  ASSERT_TRUE(Launch(1, "setsid " + hog + " & exec " + TestTaskPath() + " --sleep 600",
                     64 * kMiB)
                  .ok());
  pid_t pid = ReadPidFile(Pidfile("hog"));
  ASSERT_GT(pid, 0);
  auto exit = waiter_->Wait(1);
  ASSERT_TRUE(exit.has_value());
  EXPECT_TRUE(exit->usage.memory_exceeded);
  EXPECT_GT(exit->usage.max_rss_bytes, 64 * kMiB);
  EXPECT_FALSE(IsAlive(pid));
}

TEST_F(EscapedDescendantsTest, DestroyingTheLauncherKillsDetachedProcesses) {
  ASSERT_TRUE(Launch(1, Task("a", "--detach double-fork --sleep 600")).ok());
  pid_t detached = DetachedPid("a");
  ASSERT_GT(detached, 0);
  ASSERT_TRUE(WaitForFile(Pidfile("a") + ".detached.ready"));
  launcher_.reset();
  EXPECT_TRUE(WaitForProcessExit(detached, std::chrono::milliseconds(0)))
      << "killed and reaped before the destructor returned";
}

}  // namespace
}  // namespace allot
