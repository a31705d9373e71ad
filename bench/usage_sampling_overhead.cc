// The cost of usage sampling (exec/group_usage_sampler.h) with N running attempts: starts N
// process groups of `sleep` (each its own group, as the launcher does), samples them T times
// the way the launcher does and reports the CPU this process spent per sample tick and what
// that is as a share of one core at a sampling interval.
//
//   allot_usage_bench [--tasks 100] [--ticks 200] [--interval 1]
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "exec/group_usage_sampler.h"
#include "exec/proc_source.h"

extern char** environ;

namespace {

double CpuSeconds() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  int tasks = 100, ticks = 200;
  double interval_s = 1.0;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--tasks")
      tasks = std::atoi(argv[i + 1]);
    else if (flag == "--ticks")
      ticks = std::atoi(argv[i + 1]);
    else if (flag == "--interval")
      interval_s = std::atof(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: %s [--tasks N] [--ticks T] [--interval SECONDS]\n", argv[0]);
      return 2;
    }
  }
  std::vector<pid_t> pids;
  for (int i = 0; i < tasks; ++i) {
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    char sleep_arg[] = "600";
    char sleep_path[] = "/bin/sleep";
    char* args[] = {sleep_path, sleep_arg, nullptr};
    pid_t pid;
    if (posix_spawn(&pid, "/bin/sleep", nullptr, &attr, args, environ) != 0) {
      std::perror("posix_spawn");
      return 1;
    }
    posix_spawnattr_destroy(&attr);
    pids.push_back(pid);
  }
  std::unique_ptr<allot::ProcSource> proc = allot::NewSystemProcSource();
  allot::GroupUsageSamplerOptions options;
  options.interval = allot::FromSeconds(interval_s);
  options.page_bytes = sysconf(_SC_PAGESIZE);
  options.ticks_per_second = sysconf(_SC_CLK_TCK);
  allot::GroupUsageSampler sampler(proc.get(), options);
  allot::TimePoint start(std::chrono::seconds(0));
  for (pid_t pid : pids) sampler.Track(pid, start, int64_t{1} << 30);
  std::vector<pid_t> all;
  proc->ListPids(&all);

  std::vector<pid_t> over;
  const double cpu_before = CpuSeconds();
  const auto wall_before = std::chrono::steady_clock::now();
  for (int t = 0; t < ticks; ++t) {
    sampler.Sample(start + std::chrono::seconds(t + 1), &over);
  }
  const double cpu = CpuSeconds() - cpu_before;
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_before).count();
  for (pid_t pid : pids) {
    kill(-pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  const double per_tick_us = cpu / ticks * 1e6;
  std::printf("%d tracked groups, %zu processes on the machine, %d ticks\n", tasks, all.size(),
              ticks);
  std::printf("CPU per tick: %.0f us (wall %.0f us); at a %.3g s interval: %.3f%% of one core\n",
              per_tick_us, wall / ticks * 1e6, interval_s, per_tick_us / (interval_s * 1e6) * 100);
  return 0;
}
