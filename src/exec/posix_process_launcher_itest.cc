// PosixProcessLauncher with real processes (allot-test-task): exit codes, signals, stdio,
// environment, working directory, affinity, direct exec versus the shell.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <thread>
#include <fstream>

#include "exec/launcher_itest_support.h"
#include "exec/posix_process_launcher.h"

namespace allot {
namespace {

using exec_itest::CurrentEnv;
using exec_itest::ExitWaiter;
using exec_itest::ReadFile;
using exec_itest::ReadPidFile;
using exec_itest::TempDir;
using exec_itest::TestTaskPath;

class PosixProcessLauncherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    auto launcher = PosixProcessLauncher::Create();
    ASSERT_TRUE(launcher.ok()) << launcher.status().ToString();
    launcher_ = std::move(*launcher);
    waiter_ = std::make_unique<ExitWaiter>(launcher_.get());
  }

  LaunchRequest Request(RunId run_id, const std::string& command) {
    LaunchRequest request;
    request.run_id = run_id;
    request.command = command;
    request.cwd = dir_.path();
    request.env = CurrentEnv();
    request.stdout_path = dir_.File(std::to_string(run_id) + ".out");
    request.stderr_path = dir_.File(std::to_string(run_id) + ".err");
    return request;
  }

  // Launches the test task with `flags` and waits for its exit.
  AttemptUsage RunTask(RunId run_id, const std::string& flags) {
    return Run(Request(run_id, task_ + " " + flags));
  }

  AttemptUsage Run(const LaunchRequest& request) {
    Status status = launcher_->Launch(request);
    EXPECT_TRUE(status.ok()) << status.ToString();
    if (!status.ok()) return {};
    auto exit = waiter_->Wait(request.run_id);
    EXPECT_TRUE(exit.has_value()) << "run " << request.run_id << " did not exit";
    return exit ? exit->usage : AttemptUsage{};
  }

  std::string Out(RunId run_id) { return ReadFile(dir_.File(std::to_string(run_id) + ".out")); }
  std::string Err(RunId run_id) { return ReadFile(dir_.File(std::to_string(run_id) + ".err")); }

  TempDir dir_;
  std::string task_ = TestTaskPath();
  std::unique_ptr<PosixProcessLauncher> launcher_;
  std::unique_ptr<ExitWaiter> waiter_;
};

TEST_F(PosixProcessLauncherTest, ReportsTheExitCode) {
  EXPECT_EQ(RunTask(1, "").exit_code, 0);
  AttemptUsage usage = RunTask(2, "--exit 7");
  EXPECT_EQ(usage.exit_code, 7);
  EXPECT_EQ(usage.term_signal, 0);
  EXPECT_EQ(launcher_->running(), 0u);
}

TEST_F(PosixProcessLauncherTest, ReportsTheTerminatingSignal) {
  AttemptUsage usage = RunTask(1, "--signal SEGV");
  EXPECT_EQ(usage.exit_code, -1);
  EXPECT_EQ(usage.term_signal, SIGSEGV);
}

TEST_F(PosixProcessLauncherTest, SignalReachesTheTask) {
  ASSERT_TRUE(
      launcher_->Launch(Request(1, task_ + " --pidfile " + dir_.File("pid") + " --sleep 600"))
          .ok());
  EXPECT_EQ(launcher_->running(), 1u);
  ASSERT_GT(ReadPidFile(dir_.File("pid")), 0);
  ASSERT_TRUE(launcher_->Signal(1, SIGTERM).ok());
  auto exit = waiter_->Wait(1);
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->usage.term_signal, SIGTERM);
  EXPECT_EQ(launcher_->running(), 0u);
}

TEST_F(PosixProcessLauncherTest, SignalAfterTheExitIsHarmless) {
  RunTask(1, "");
  EXPECT_TRUE(launcher_->Signal(1, SIGKILL).ok());
  EXPECT_TRUE(launcher_->Signal(99, SIGKILL).ok());
}

TEST_F(PosixProcessLauncherTest, TaskIsTheLeaderOfItsOwnProcessGroup) {
  ASSERT_TRUE(
      launcher_->Launch(Request(1, task_ + " --pidfile " + dir_.File("pid") + " --sleep 600"))
          .ok());
  pid_t pid = ReadPidFile(dir_.File("pid"));
  ASSERT_GT(pid, 0);
  EXPECT_EQ(getpgid(pid), pid);
  EXPECT_NE(getpgid(pid), getpgrp());
  ASSERT_TRUE(launcher_->Signal(1, SIGKILL).ok());
  EXPECT_TRUE(waiter_->Wait(1).has_value());
}

TEST_F(PosixProcessLauncherTest, WritesStdoutAndStderrToTheirFiles) {
  RunTask(1, "--stdout-bytes 1000 --stderr-bytes 300");
  EXPECT_EQ(Out(1).size(), 1000u);
  EXPECT_EQ(Err(1).size(), 300u);
}

TEST_F(PosixProcessLauncherTest, TruncatesExistingOutputFiles) {
  std::ofstream(dir_.File("1.out")) << std::string(5000, 'o');
  RunTask(1, "--stdout-bytes 10");
  EXPECT_EQ(Out(1).size(), 10u);
}

TEST_F(PosixProcessLauncherTest, SharedStdoutAndStderrFileKeepsBothStreams) {
  LaunchRequest request = Request(1, task_ + " --stdout-bytes 1000 --stderr-bytes 300");
  request.stderr_path = request.stdout_path;
  Run(request);
  EXPECT_EQ(Out(1).size(), 1300u);
}

TEST_F(PosixProcessLauncherTest, EmptyStdioPathsDiscardOutput) {
  LaunchRequest request = Request(1, task_ + " --stdout-bytes 1000 --stderr-bytes 300");
  request.stdout_path.clear();
  request.stderr_path.clear();
  EXPECT_EQ(Run(request).exit_code, 0);
}

TEST_F(PosixProcessLauncherTest, StdinIsEmpty) {
  EXPECT_EQ(Run(Request(1, "wc -c")).exit_code, 0);
  EXPECT_EQ(Out(1), "0\n");
}

TEST_F(PosixProcessLauncherTest, TaskGetsExactlyTheRequestedEnvironment) {
  LaunchRequest request =
      Request(1, task_ + " --print-env ALLOT_TASK_ID --print-env SPACED --print-env HOME");
  request.env = {"ALLOT_TASK_ID=sim-1", "SPACED=a b  c"};
  Run(request);
  EXPECT_EQ(Out(1), "ALLOT_TASK_ID=sim-1\nSPACED=a b  c\nunset HOME\n");
}

TEST_F(PosixProcessLauncherTest, RunsInTheRequestedDirectory) {
  std::filesystem::create_directory(dir_.File("work"));
  LaunchRequest request = Request(1, task_ + " --touch made-here --stdout-bytes 5");
  request.cwd = dir_.File("work");
  request.stdout_path = "relative.out";  // relative to the task's directory
  Run(request);
  EXPECT_TRUE(std::filesystem::exists(dir_.File("work/made-here")));
  EXPECT_EQ(ReadFile(dir_.File("work/relative.out")).size(), 5u);
}

TEST_F(PosixProcessLauncherTest, AppliesTheCpuAffinity) {
  cpu_set_t mine;
  ASSERT_EQ(sched_getaffinity(0, sizeof(mine), &mine), 0);
  std::string all;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &mine)) continue;
    LaunchRequest request = Request(cpu + 1, task_ + " --print-affinity");
    request.cpus = {cpu};
    Run(request);
    EXPECT_EQ(Out(cpu + 1), "affinity=" + std::to_string(cpu) + "\n");
    all += (all.empty() ? "" : ",") + std::to_string(cpu);
  }
  RunTask(1000, "--print-affinity");
  EXPECT_EQ(Out(1000), "affinity=" + all + "\n") << "no cpus: inherits the whole mask";
  cpu_set_t after;
  ASSERT_EQ(sched_getaffinity(0, sizeof(after), &after), 0);
  EXPECT_TRUE(CPU_EQUAL(&mine, &after)) << "the launching thread's mask is untouched";
}

TEST_F(PosixProcessLauncherTest, RejectsCpuIdsOutOfRange) {
  LaunchRequest request = Request(1, task_);
  request.cpus = {CPU_SETSIZE + 3};
  EXPECT_EQ(launcher_->Launch(request).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(launcher_->running(), 0u);
}

TEST_F(PosixProcessLauncherTest, UnusableCpusAreAnInvalidArgument) {
  cpu_set_t before;
  ASSERT_EQ(sched_getaffinity(0, sizeof(before), &before), 0);
  int outside = CPU_SETSIZE - 1;
  if (CPU_ISSET(outside, &before)) GTEST_SKIP() << "every CPU id is usable here";
  LaunchRequest request = Request(1, task_);
  request.cpus = {outside};
  EXPECT_EQ(launcher_->Launch(request).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(launcher_->running(), 0u);
  cpu_set_t after;
  ASSERT_EQ(sched_getaffinity(0, sizeof(after), &after), 0);
  EXPECT_TRUE(CPU_EQUAL(&after, &before));
  EXPECT_EQ(Run(Request(2, task_)).exit_code, 0) << "the launcher still works";
}

TEST_F(PosixProcessLauncherTest, ResetsTheSignalMaskAndIgnoredSignals) {
  sigset_t term, old_mask;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &term, &old_mask), 0);
  struct sigaction ignore = {}, old_action = {};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(sigaction(SIGINT, &ignore, &old_action), 0);

  ASSERT_TRUE(
      launcher_->Launch(Request(1, task_ + " --pidfile " + dir_.File("p1") + " --sleep 600")).ok());
  ASSERT_TRUE(
      launcher_->Launch(Request(2, task_ + " --pidfile " + dir_.File("p2") + " --sleep 600")).ok());
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  sigaction(SIGINT, &old_action, nullptr);

  ASSERT_GT(ReadPidFile(dir_.File("p1")), 0);
  ASSERT_GT(ReadPidFile(dir_.File("p2")), 0);
  ASSERT_TRUE(launcher_->Signal(1, SIGTERM).ok());
  ASSERT_TRUE(launcher_->Signal(2, SIGINT).ok());
  auto first = waiter_->Wait(1);
  auto second = waiter_->Wait(2);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->usage.term_signal, SIGTERM);
  EXPECT_EQ(second->usage.term_signal, SIGINT);
}

TEST_F(PosixProcessLauncherTest, DoesNotLeakDescriptorsIntoTasks) {
  int leaky = open("/dev/null", O_RDONLY);  // no O_CLOEXEC, as careless code would
  int high = fcntl(leaky, F_DUPFD, 100);
  Run(Request(1, "ls /proc/self/fd"));
  close(leaky);
  close(high);
  EXPECT_EQ(Out(1), "0\n1\n2\n3\n");  // 3: ls's own directory handle
}

TEST_F(PosixProcessLauncherTest, SplitsQuotedWordsWithoutAShell) {
  EXPECT_EQ(RunTask(1, "--touch 'with space'").exit_code, 0);
  EXPECT_TRUE(std::filesystem::exists(dir_.File("with space")));
  RunTask(2, "--print-env 'A'\"B\"");
  EXPECT_EQ(Out(2), "unset AB\n");
}

TEST_F(PosixProcessLauncherTest, RunsShellSyntaxWithTheShell) {
  EXPECT_EQ(Run(Request(1, "exit 3")).exit_code, 3);
  EXPECT_EQ(Run(Request(2, "FOO=bar " + task_ + " --print-env FOO")).exit_code, 0);
  EXPECT_EQ(Out(2), "FOO=bar\n");
  EXPECT_EQ(Run(Request(3, task_ + " --exit 1 || " + task_ + " --touch fallback")).exit_code, 0);
  EXPECT_TRUE(std::filesystem::exists(dir_.File("fallback")));
  LaunchRequest request = Request(4, "echo \"$GREETING\" > greeting.txt");
  request.env.push_back("GREETING=hello there");
  Run(request);
  EXPECT_EQ(ReadFile(dir_.File("greeting.txt")), "hello there\n");
}

TEST_F(PosixProcessLauncherTest, MissingProgramExitsWith127) {
  AttemptUsage usage = Run(Request(1, "no-such-program-allot --flag"));
  EXPECT_EQ(usage.exit_code, 127);
  EXPECT_NE(Err(1).find("not found"), std::string::npos) << Err(1);
  EXPECT_EQ(Run(Request(2, dir_.File("missing/prog"))).exit_code, 127);
}

TEST_F(PosixProcessLauncherTest, ExitOf127Or126CarriesTheShellsMessageFromStderr) {
  AttemptUsage missing = Run(Request(1, "./missing-simulate.sh 1 2"));
  EXPECT_EQ(missing.exit_code, 127);
  EXPECT_NE(missing.stderr_tail.find("./missing-simulate.sh"), std::string::npos)
      << missing.stderr_tail;
  EXPECT_NE(missing.stderr_tail.find("not found"), std::string::npos) << missing.stderr_tail;
  std::ofstream(dir_.File("data.txt")) << "not a program\n";
  AttemptUsage denied = Run(Request(2, "./data.txt"));
  EXPECT_EQ(denied.exit_code, 126);
  EXPECT_NE(denied.stderr_tail.find("data.txt"), std::string::npos) << denied.stderr_tail;
  // Other exits keep their stderr to themselves.
  AttemptUsage other = Run(Request(3, "echo oops >&2; exit 3"));
  EXPECT_EQ(other.exit_code, 3);
  EXPECT_EQ(other.stderr_tail, "");
}

TEST_F(PosixProcessLauncherTest, NonExecutableFileExitsWith126) {
  std::ofstream(dir_.File("data.txt")) << "not a program\n";
  EXPECT_EQ(Run(Request(1, "./data.txt")).exit_code, 126);
}

TEST_F(PosixProcessLauncherTest, ScriptWithoutInterpreterLineRunsUnderTheShell) {
  std::ofstream(dir_.File("script")) << "exit 5\n";
  std::filesystem::permissions(dir_.File("script"), std::filesystem::perms::owner_all);
  EXPECT_EQ(Run(Request(1, "./script")).exit_code, 5);
}

TEST_F(PosixProcessLauncherTest, FindsProgramsOnTheTasksOwnPath) {
  std::filesystem::create_directory(dir_.File("bin"));
  std::ofstream(dir_.File("bin/allot-only-here")) << "#!/bin/sh\nexit 9\n";
  std::filesystem::permissions(dir_.File("bin/allot-only-here"), std::filesystem::perms::owner_all);
  LaunchRequest request = Request(1, "allot-only-here");
  request.env = {"PATH=" + dir_.File("bin") + ":/usr/bin:/bin"};
  EXPECT_EQ(Run(request).exit_code, 9);
}

TEST_F(PosixProcessLauncherTest, MissingWorkingDirectoryIsALaunchError) {
  LaunchRequest request = Request(1, task_);
  request.cwd = dir_.File("nowhere");
  Status status = launcher_->Launch(request);
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_NE(status.message().find("nowhere"), std::string::npos) << status.ToString();
  EXPECT_EQ(launcher_->running(), 0u);
}

TEST_F(PosixProcessLauncherTest, UnwritableStdoutIsALaunchError) {
  LaunchRequest request = Request(1, task_);
  request.stdout_path = dir_.File("no-dir/out");
  Status status = launcher_->Launch(request);
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_NE(status.message().find("stdout"), std::string::npos) << status.ToString();
  EXPECT_EQ(launcher_->running(), 0u);
}

TEST_F(PosixProcessLauncherTest, RejectsEmptyCommandsAndDuplicateRuns) {
  EXPECT_EQ(launcher_->Launch(Request(1, "  ")).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(launcher_->Launch(Request(2, task_ + " --sleep 600")).ok());
  EXPECT_EQ(launcher_->Launch(Request(2, task_)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(launcher_->running(), 1u);
  ASSERT_TRUE(launcher_->Signal(2, SIGKILL).ok());
  EXPECT_TRUE(waiter_->Wait(2).has_value());
}

TEST_F(PosixProcessLauncherTest, ReadyFdIsQuietWhenNothingExited) {
  ASSERT_TRUE(launcher_->Launch(Request(1, task_ + " --sleep 600")).ok());
  waiter_->Collect();
  pollfd fd = {launcher_->ReadyFd(), POLLIN, 0};
  EXPECT_EQ(poll(&fd, 1, 0), 0);
  ASSERT_TRUE(launcher_->Signal(1, SIGKILL).ok());
  EXPECT_TRUE(waiter_->Wait(1).has_value());
}

}  // namespace
}  // namespace allot

namespace allot {
namespace {

// Found by the in-process cluster test (two worker agents in one process): a launcher reaped
// every child of the process, so one launcher took another's exits, which then never came.
// A launcher reaps the children of its own thread (and the orphans adopted by its thread).
TEST(PosixProcessLauncherThreadsTest, TwoLaunchersOnTwoThreadsEachGetEveryExitOfTheirOwn) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  constexpr int kRuns = 40;
  auto run = [&dir](RunId base, int* collected) {
    auto launcher = PosixProcessLauncher::Create();
    ASSERT_TRUE(launcher.ok()) << launcher.status().ToString();
    ExitWaiter waiter(launcher->get());
    for (int i = 0; i < kRuns; ++i) {
      LaunchRequest r;
      r.run_id = base + static_cast<RunId>(i);
      r.command = TestTaskPath() + " --sleep 0.01";
      r.cwd = dir.path();
      r.env = CurrentEnv();
      r.stdout_path = dir.File(std::to_string(r.run_id) + ".out");
      r.stderr_path = dir.File(std::to_string(r.run_id) + ".err");
      ASSERT_TRUE((*launcher)->Launch(r).ok());
    }
    for (int i = 0; i < kRuns; ++i) {
      auto exit = waiter.Wait(base + static_cast<RunId>(i));
      EXPECT_TRUE(exit.has_value()) << "run " << base + i << " never exited for its launcher";
      if (exit) *collected += 1;
    }
  };
  int a = 0, b = 0;
  std::thread first(run, 1000, &a);
  std::thread second(run, 2000, &b);
  first.join();
  second.join();
  EXPECT_EQ(a, kRuns);
  EXPECT_EQ(b, kRuns);
}

}  // namespace
}  // namespace allot
