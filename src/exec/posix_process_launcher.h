// PosixProcessLauncher: the real ProcessLauncher for Linux.
//
// Launch: one clone(CLONE_VM|CLONE_VFORK|CLONE_PIDFD) per attempt (task_spawn.h; like glibc's
// posix_spawn, its cost does not grow with this process's memory, unlike fork), in a new
// process group whose id is the leader's pid, with an empty signal mask and default
// dispositions, stdin from /dev/null, stdout/stderr created or truncated, every other inherited
// descriptor closed, the request's cwd and complete environment, and the CPU mask set by the
// child itself before exec (the launching thread's own mask is never changed). Plain commands
// are exec'd directly (command_line.h) after a PATH lookup with the task's own PATH; everything
// else, and a program that cannot be found or exec'd, runs under /bin/sh -c (in the same
// child), so "not found" is the shell's exit 127 with its message in stderr; such an exit (126
// or 127) carries the last lines of that stderr in usage.stderr_tail (stderr_tail.h).
//
// Reaping (pidfd + epoll): each leader gets a pidfd in an epoll set; ReadyFd() is that epoll
// descriptor, readable when a leader has exited. CollectExits peeks at zombies with
// waitid(WNOWAIT); for a leader it first SIGKILLs the group (the unreaped leader still pins the
// group id, so the signal cannot reach a recycled group) and then reaps it with wait4 for its
// exit status and rusage. Unlike a SIGCHLD signalfd this needs no signal blocked in every thread
// of the process (ZeroMQ, HTTP and SQLite threads would each have to), at the same speed
// (~3,000 spawns/s of /bin/true at 2 in flight on the project's idle 2-CPU VM, both ways).
// Per launch that is epoll_ctl (the pidfd comes from clone); per exit waitid + kill + wait4 +
// close.
//
// Process-wide effects and requirements (one launcher per process):
//  - Create() makes this process a child subreaper (PR_SET_CHILD_SUBREAPER): orphaned
//    descendants of tasks are reparented here and reaped by CollectExits, instead of lingering
//    as zombies under a container init that may not reap.
//  - CollectExits reaps every child of the process, tracked or not, and every child that is not
//    an attempt's leader is taken for an attempt's escaped process (and killed when the attempts
//    it may belong to have ended). Other code in the process must not start children;
//    SIGCHLD must not be set to SIG_IGN (and SA_NOCLDWAIT must not be set), which would make
//    the kernel discard exit statuses.
//  - No signal needs to be blocked: the child's mask and dispositions are reset at spawn.
//
// Descendants that leave the group (setsid, setpgid, a daemon's double fork) escape group
// signals and the stray kill; escaped_descendants.h finds them (they come here as orphans, or
// sampling sees them in the tree), counts their usage while they live, passes Signal on to
// those it knows, and kills them with their subtrees when the attempt ends. The attempt's exit
// is then held back until they have exited (at most EscapedDescendants::kHoldLimitNs): once an
// exit is collected, nothing the attempt started runs any more. (The leader itself cannot
// leave: a group leader may not call setsid.) On the spawn path that costs one pread of this
// process's children list per CollectExits that reaps a leader, and a few hash-map operations
// per attempt.
//
// Usage accounting: wall time is CLOCK_MONOTONIC from just before the spawn to the reap. wait4's
// rusage of the leader gives CPU time and peak RSS of the leader and the descendants it waited
// for; sampling (group_usage_sampler.h, every sample_interval after fast early samples, driven
// by the owner through NextSampleDue/Sample) adds the whole tree: RSS summed over the tree,
// peak cores, read/written bytes, and CPU of descendants nobody waited for. The exit reports
// the larger of the two for CPU time and peak RSS. At the reap the leader's zombie is asked for
// its final /proc/<pid>/io (one read per exit while sampling is on). When a sample sees the
// group's RSS above request.memory_limit_bytes the group is SIGKILLed and its exit says
// memory_exceeded. Between samples a tree may go above its limit unseen; the kernel's OOM
// killer is not told apart from other SIGKILLs.
//
// Not thread-safe: one owner thread calls every method (Launch runs the child on a stack the
// launcher owns). Every wait it makes (exits, strays, its destructor) is for the children of
// that thread only (and the orphans the process adopts when that thread is the main one), so
// launchers on different threads of one process (worker agents in a test) never take each
// other's exits. Destroying the launcher SIGKILLs and reaps every attempt still running and
// every process attempts left (waiting up to 5 s for them).
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "exec/escaped_descendants.h"
#include "exec/group_usage_sampler.h"
#include "exec/proc_source.h"
#include "exec/process_launcher.h"
#include "exec/task_spawn.h"

namespace allot {

struct PosixLauncherOptions {
  // Usage sampling period after the early samples; 0: no sampling (and no memory limits).
  Duration sample_interval = std::chrono::seconds(1);
  const Clock* clock = SystemClock::Default();  // must outlive the launcher
};

class PosixProcessLauncher final : public ProcessLauncher {
 public:
  // IoError when the epoll set, a timerfd, /dev/null or /proc cannot be opened.
  static Result<std::unique_ptr<PosixProcessLauncher>> Create(PosixLauncherOptions options = {});
  ~PosixProcessLauncher() override;

  PosixProcessLauncher(const PosixProcessLauncher&) = delete;
  PosixProcessLauncher& operator=(const PosixProcessLauncher&) = delete;

  // Errors: InvalidArgument (empty command, duplicate run_id, bad CPU ids), IoError naming the
  // cwd or stdio file that could not be used. On error nothing runs for run_id.
  Status Launch(const LaunchRequest& request) override;
  Status Signal(RunId run_id, int signal) override;
  int ReadyFd() const override { return epoll_fd_; }
  void CollectExits(std::vector<ProcessExit>* exits) override;
  size_t running() const override { return by_pid_.size() + held_.size(); }
  std::optional<TimePoint> NextSampleDue() const override;
  void Sample() override;

 private:
  struct Child {
    RunId run_id = 0;
    int pidfd = -1;
    int64_t start_ns = 0;  // CLOCK_MONOTONIC
    bool memory_exceeded = false;
    std::string stderr_path;  // as the task's cwd resolves it: read for a 126/127 exit
  };

  PosixProcessLauncher(int epoll_fd, int dev_null_fd, int hold_timer_fd,
                       PosixLauncherOptions options, std::unique_ptr<ProcSource> proc);
  // What sampling saw of the group of `pid`, whose leader is a zombie not yet reaped; the
  // processes it saw of the tree outside the group go to outside_.
  GroupUsage TakeSampledUsage(pid_t pid);
  // Moves the exits from index `first` of *exits whose attempts still have processes dying to
  // held_, and the held ones that are settled now to *exits; arms hold_timer_fd_.
  void SettleExits(std::vector<ProcessExit>* exits, size_t first);

  // Builds argv_/path_ for the request; false when the shell must run it.
  bool PrepareDirectExec(const LaunchRequest& request);
  // Builds shell_argv_: /bin/sh -c COMMAND.
  void PrepareShellExec(const LaunchRequest& request);
  // Names what made a spawn fail with `err`, checking the cwd and stdio paths.
  Status DescribeSpawnFailure(const LaunchRequest& request, int err) const;
  void Reap(pid_t pid, Child* child, std::vector<ProcessExit>* exits);

  const int epoll_fd_;
  const int dev_null_fd_;
  const int hold_timer_fd_;  // in the epoll set: readable when a held exit's wait runs out
  bool hold_timer_armed_ = false;
  const Clock* clock_;
  std::unique_ptr<ProcSource> proc_;
  std::unique_ptr<GroupUsageSampler> sampler_;  // null when sampling is off
  std::unique_ptr<EscapedDescendants> escaped_;
  // Exits of attempts whose escaped processes were killed and have not all exited yet.
  std::vector<ProcessExit> held_;
  std::vector<pid_t> over_limit_;       // scratch for Sample
  std::string io_text_;                 // scratch for TakeSampledUsage
  std::vector<ProcessRef> outside_;     // scratch for Reap
  TaskSpawner spawner_;
  std::unordered_map<pid_t, Child> by_pid_;
  std::unordered_map<RunId, pid_t> by_run_;
  // Scratch space reused by every Launch, so a launch allocates little.
  std::vector<std::string> words_;
  std::vector<char*> argv_;
  std::vector<char*> shell_argv_;
  std::vector<char*> envp_;
  std::string path_;
};

}  // namespace allot
