// Launch throughput: 2,000 empty tasks, 2 in flight, as `allot run` drives the launcher. Prints
// the rate for docs/PERFORMANCE.md (compare with `seq 2000 | xargs -P2 -n1 true`); asserts only
// that every task ran.
#include <chrono>
#include <cstdio>

#include "exec/launcher_itest_support.h"
#include "exec/posix_process_launcher.h"
#include "gtest/gtest.h"

namespace allot {
namespace {

using exec_itest::CurrentEnv;
using exec_itest::TempDir;

constexpr int kTasks = 2000;
constexpr size_t kInFlight = 2;

// Runs kTasks `true` with per-task output files; returns tasks per second.
double MeasureRate(bool pin_cpus) {
  auto created = PosixProcessLauncher::Create();
  EXPECT_TRUE(created.ok());
  if (!created.ok()) return 0;
  PosixProcessLauncher& launcher = **created;
  TempDir dir;
  LaunchRequest request;
  request.command = "true";
  request.cwd = dir.path();
  request.env = CurrentEnv();
  std::vector<ProcessExit> exits;
  int started = 0, succeeded = 0, finished = 0;
  auto begin = std::chrono::steady_clock::now();
  while (finished < kTasks) {
    while (started < kTasks && launcher.running() < kInFlight) {
      request.run_id = static_cast<RunId>(started);
      request.stdout_path = dir.File(std::to_string(started) + ".out");
      request.stderr_path = dir.File(std::to_string(started) + ".err");
      if (pin_cpus) request.cpus = {started % 2};
      Status status = launcher.Launch(request);
      EXPECT_TRUE(status.ok()) << status.ToString();
      if (!status.ok()) return 0;
      ++started;
    }
    pollfd fd = {launcher.ReadyFd(), POLLIN, 0};
    if (poll(&fd, 1, static_cast<int>(exec_itest::kPatience.count())) != 1) break;
    exits.clear();
    launcher.CollectExits(&exits);
    for (const ProcessExit& exit : exits) {
      ++finished;
      if (exit.usage.exit_code == 0) ++succeeded;
    }
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  EXPECT_EQ(succeeded, kTasks);
  return finished / seconds;
}

TEST(LaunchRateTest, EmptyTasksTwoInFlight) {
  double rate = MeasureRate(/*pin_cpus=*/false);
  std::printf("launch rate, `true`, 2 in flight, output files: %.0f tasks/s\n", rate);
}

TEST(LaunchRateTest, EmptyTasksTwoInFlightPinnedToAlternatingCpus) {
  if (sysconf(_SC_NPROCESSORS_ONLN) < 2) GTEST_SKIP() << "needs 2 CPUs";
  double rate = MeasureRate(/*pin_cpus=*/true);
  std::printf("launch rate, `true`, 2 in flight, pinned to CPU 0/1: %.0f tasks/s\n", rate);
}

}  // namespace
}  // namespace allot
