#include "exec/posix_process_launcher.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string_view>

#include "exec/command_line.h"
#include "exec/cpu_mask.h"
#include "exec/executable_lookup.h"
#include "exec/stderr_tail.h"

namespace allot {
namespace {

constexpr char kShell[] = "/bin/sh";

int64_t MonotonicNanos() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

Duration FromTimeval(const timeval& tv) {
  return Duration(static_cast<int64_t>(tv.tv_sec) * 1'000'000 + tv.tv_usec);
}

Status CheckDirectory(const std::string& what, const std::string& path) {
  if (path.empty()) return Status::Ok();
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    int err = errno;
    return ErrnoStatus(what + " " + path, err);
  }
  if (!S_ISDIR(st.st_mode)) return ErrnoStatus(what + " " + path, ENOTDIR);
  return Status::Ok();
}

// Where an stdio path of the task lands, for error messages: relative paths are the cwd's.
std::string TaskPath(const std::string& cwd, const std::string& path) {
  if (path.empty() || path.front() == '/' || cwd.empty()) return path;
  return cwd + "/" + path;
}

// Opens like the child would (without truncating), to name a file the child could not open.
Status CheckWritable(const std::string& what, const std::string& path) {
  if (path.empty()) return Status::Ok();
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    int err = errno;
    return ErrnoStatus(what + " " + path, err);
  }
  close(fd);
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<PosixProcessLauncher>> PosixProcessLauncher::Create(
    PosixLauncherOptions options) {
  std::unique_ptr<ProcSource> proc = NewSystemProcSource();
  if (proc == nullptr) return ErrnoStatus("open /proc", errno);
  int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) return ErrnoStatus("epoll_create1", errno);
  int timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  epoll_event event = {};
  event.events = EPOLLIN;
  if (timer_fd < 0 || epoll_ctl(epoll_fd, EPOLL_CTL_ADD, timer_fd, &event) != 0) {
    int err = errno;
    if (timer_fd >= 0) close(timer_fd);
    close(epoll_fd);
    return ErrnoStatus("timerfd", err);
  }
  // Above the stdio numbers, so dup2 onto stdin is never a no-op that keeps FD_CLOEXEC.
  int dev_null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (dev_null_fd >= 0 && dev_null_fd <= STDERR_FILENO) {
    int moved = fcntl(dev_null_fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
    close(dev_null_fd);
    dev_null_fd = moved;
  }
  if (dev_null_fd < 0) {
    int err = errno;
    close(timer_fd);
    close(epoll_fd);
    return ErrnoStatus("open /dev/null", err);
  }
  // Orphaned task descendants are reparented here, so they are killed and reaped by us.
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  return std::unique_ptr<PosixProcessLauncher>(
      new PosixProcessLauncher(epoll_fd, dev_null_fd, timer_fd, options, std::move(proc)));
}

PosixProcessLauncher::PosixProcessLauncher(int epoll_fd, int dev_null_fd, int hold_timer_fd,
                                           PosixLauncherOptions options,
                                           std::unique_ptr<ProcSource> proc)
    : epoll_fd_(epoll_fd),
      dev_null_fd_(dev_null_fd),
      hold_timer_fd_(hold_timer_fd),
      clock_(options.clock),
      proc_(std::move(proc)) {
  if (options.sample_interval > Duration(0)) {
    GroupUsageSamplerOptions sampling;
    sampling.interval = options.sample_interval;
    sampling.page_bytes = sysconf(_SC_PAGESIZE);
    sampling.ticks_per_second = sysconf(_SC_CLK_TCK);
    sampler_ = std::make_unique<GroupUsageSampler>(proc_.get(), sampling);
  }
  escaped_ = std::make_unique<EscapedDescendants>(proc_.get(), sampler_.get(), epoll_fd_);
}

PosixProcessLauncher::~PosixProcessLauncher() {
  for (auto& [pid, child] : by_pid_) kill(-pid, SIGKILL);
  for (auto& [pid, child] : by_pid_) {
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    close(child.pidfd);
  }
  // What the attempts left, in or out of their groups: nothing they started outlives them.
  escaped_->KillAll(EscapedDescendants::kHoldLimitNs);
  escaped_.reset();
  // Strays that were already dying: reap what is a zombie now, leave the rest to init.
  while (waitpid(-1, nullptr, WNOHANG | __WNOTHREAD) > 0) {
  }
  close(hold_timer_fd_);
  close(dev_null_fd_);
  close(epoll_fd_);
}

bool PosixProcessLauncher::PrepareDirectExec(const LaunchRequest& request) {
  if (!SplitPlainCommand(request.command, &words_)) return false;
  std::string_view search_path;
  if (!FindEnvValue(request.env, "PATH", &search_path)) search_path = DefaultSearchPath();
  if (!FindExecutable(words_[0], search_path, request.cwd, &path_)) return false;
  argv_.clear();
  for (std::string& word : words_) argv_.push_back(word.data());
  argv_.push_back(nullptr);
  return true;
}

void PosixProcessLauncher::PrepareShellExec(const LaunchRequest& request) {
  shell_argv_.clear();
  shell_argv_.push_back(const_cast<char*>(kShell));
  shell_argv_.push_back(const_cast<char*>("-c"));
  shell_argv_.push_back(const_cast<char*>(request.command.c_str()));
  shell_argv_.push_back(nullptr);
}

Status PosixProcessLauncher::Launch(const LaunchRequest& request) {
  if (request.command.find_first_not_of(" \t\n") == std::string::npos) {
    return Status::InvalidArgument("run " + std::to_string(request.run_id) + ": empty command");
  }
  if (by_run_.count(request.run_id) != 0) {
    return Status::InvalidArgument("run " + std::to_string(request.run_id) + " is already running");
  }
  cpu_set_t cpus;
  if (!request.cpus.empty()) ALLOT_RETURN_IF_ERROR(CpuSetFromList(request.cpus, &cpus));

  envp_.clear();
  for (const std::string& entry : request.env) envp_.push_back(const_cast<char*>(entry.c_str()));
  envp_.push_back(nullptr);
  bool direct = PrepareDirectExec(request);
  PrepareShellExec(request);

  TaskSpawnPlan plan;
  plan.path = direct ? path_.c_str() : kShell;
  plan.argv = direct ? argv_.data() : shell_argv_.data();
  plan.shell_argv = direct ? shell_argv_.data() : nullptr;  // when exec'ing path_ fails
  plan.envp = envp_.data();
  plan.cpus = request.cpus.empty() ? nullptr : &cpus;
  plan.cwd = request.cwd.c_str();
  plan.stdout_path = request.stdout_path.c_str();
  plan.stderr_path = request.stderr_path.c_str();
  plan.same_output = !request.stderr_path.empty() && request.stdout_path == request.stderr_path;
  plan.dev_null_fd = dev_null_fd_;

  int64_t start_ns = MonotonicNanos();
  pid_t pid = -1;
  int pidfd = -1;
  SpawnFailure failure = spawner_.Spawn(plan, &pid, &pidfd);
  if (failure.step == SpawnStep::kAffinity) {
    if (failure.err == EINVAL) {
      return Status::InvalidArgument("CPU affinity: none of the requested CPUs is usable");
    }
    return ErrnoStatus("sched_setaffinity", failure.err);
  }
  if (failure.err != 0) return DescribeSpawnFailure(request, failure.err);

  // The pidfd comes from clone (CLONE_PIDFD), so it names this child even if it has exited.
  epoll_event event = {};
  event.events = EPOLLIN;
  event.data.u64 = static_cast<uint64_t>(pid);
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, pidfd, &event) != 0) {
    int watch_err = errno;
    kill(-pid, SIGKILL);
    while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    close(pidfd);
    return ErrnoStatus(
        "run " + std::to_string(request.run_id) + ": watching pid " + std::to_string(pid),
        watch_err);
  }
  by_pid_.emplace(pid, Child{request.run_id, pidfd, start_ns, false,
                             request.stderr_path.empty()
                                 ? std::string()
                                 : TaskPath(request.cwd, request.stderr_path)});
  by_run_.emplace(request.run_id, pid);
  escaped_->Started(request.run_id, pid, request.env_tag);
  if (sampler_ != nullptr) sampler_->Track(pid, clock_->Now(), request.memory_limit_bytes);
  return Status::Ok();
}

std::optional<TimePoint> PosixProcessLauncher::NextSampleDue() const {
  if (sampler_ == nullptr) return std::nullopt;
  return sampler_->NextDue();
}

void PosixProcessLauncher::Sample() {
  if (sampler_ == nullptr) return;
  escaped_->Sweep();  // orphans found by their environment count from this scan on
  over_limit_.clear();
  sampler_->Sample(clock_->Now(), &over_limit_);
  for (pid_t pgid : over_limit_) {
    auto it = by_pid_.find(pgid);
    if (it == by_pid_.end()) continue;
    // The leader is not reaped yet (it is in by_pid_), so the group id is still this attempt's.
    kill(-pgid, SIGKILL);
    it->second.memory_exceeded = true;
  }
}

GroupUsage PosixProcessLauncher::TakeSampledUsage(pid_t pid) {
  ProcIo leader_io;
  bool has_io = proc_->ReadIo(pid, &io_text_) && ParseProcIo(io_text_, &leader_io);
  return sampler_->Untrack(pid, has_io ? &leader_io : nullptr, &outside_);
}

Status PosixProcessLauncher::DescribeSpawnFailure(const LaunchRequest& request, int err) const {
  std::string prefix = "run " + std::to_string(request.run_id);
  ALLOT_RETURN_IF_ERROR(CheckDirectory(prefix + ": working directory", request.cwd));
  ALLOT_RETURN_IF_ERROR(
      CheckWritable(prefix + ": stdout", TaskPath(request.cwd, request.stdout_path)));
  ALLOT_RETURN_IF_ERROR(
      CheckWritable(prefix + ": stderr", TaskPath(request.cwd, request.stderr_path)));
  return ErrnoStatus(prefix + ": spawning '" + request.command + "'", err);
}

Status PosixProcessLauncher::Signal(RunId run_id, int signal) {
  auto it = by_run_.find(run_id);
  if (it == by_run_.end()) return Status::Ok();  // already reaped: nothing left to signal
  // The leader is not reaped yet, so the group id is still this attempt's. (A group leader
  // cannot setsid(), so the leader itself stays reachable this way.)
  if (kill(-it->second, signal) != 0 && errno != ESRCH) {
    int err = errno;
    return ErrnoStatus("run " + std::to_string(run_id) + ": signal " + std::to_string(signal), err);
  }
  // And the processes that left the group: pausing or ending an attempt covers them too.
  escaped_->Signal(run_id, signal);
  return Status::Ok();
}

void PosixProcessLauncher::CollectExits(std::vector<ProcessExit>* exits) {
  const size_t first = exits->size();
  while (true) {
    siginfo_t info = {};
    // WNOWAIT: look first, so a leader's group is killed while the zombie still pins its id.
    // __WNOTHREAD: only the children of this (the owner's) thread and the orphans adopted by
    // it; another launcher's children, on another thread of the process, are its own.
    if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT | __WNOTHREAD) != 0) {
      if (errno == EINTR) continue;
      break;  // ECHILD: no children at all
    }
    pid_t pid = info.si_pid;
    if (pid == 0) break;  // children, none exited
    auto it = by_pid_.find(pid);
    if (it == by_pid_.end()) {
      // An orphan adopted as subreaper (or a child of other code): reap it; EscapedDescendants
      // forgets it through its pidfd.
      while (waitpid(pid, nullptr, WNOHANG) < 0 && errno == EINTR) {
      }
      continue;
    }
    Reap(pid, &it->second, exits);
    by_run_.erase(it->second.run_id);
    by_pid_.erase(it);
  }
  if (exits->size() == first && held_.empty() && escaped_->watched() == 0) return;
  // Attempts that ended have their escaped processes killed; processes that died may have
  // left children here.
  escaped_->Sweep();
  SettleExits(exits, first);
}

void PosixProcessLauncher::SettleExits(std::vector<ProcessExit>* exits, size_t first) {
  const int64_t now_ns = MonotonicNanos();
  size_t kept = first;
  for (size_t i = first; i < exits->size(); ++i) {
    ProcessExit& exit = (*exits)[i];
    if (!escaped_->Settled(exit.run_id, now_ns)) {
      held_.push_back(std::move(exit));
      continue;
    }
    escaped_->Release(exit.run_id);
    if (kept != i) (*exits)[kept] = std::move(exit);
    ++kept;
  }
  exits->resize(kept);
  std::erase_if(held_, [&](ProcessExit& exit) {
    if (!escaped_->Settled(exit.run_id, now_ns)) return false;
    escaped_->Release(exit.run_id);
    exits->push_back(std::move(exit));
    return true;
  });
  // Wake the owner when the next hold runs out (setting the timer also clears a past expiry).
  std::optional<int64_t> expiry;
  if (!held_.empty()) expiry = escaped_->NextHoldExpiry();
  if (!expiry && !hold_timer_armed_) return;
  itimerspec spec = {};
  if (expiry) {
    spec.it_value.tv_sec = static_cast<time_t>(*expiry / 1'000'000'000);
    spec.it_value.tv_nsec = static_cast<long>(*expiry % 1'000'000'000);
  }
  timerfd_settime(hold_timer_fd_, TFD_TIMER_ABSTIME, &spec, nullptr);
  hold_timer_armed_ = expiry.has_value();
}

void PosixProcessLauncher::Reap(pid_t pid, Child* child, std::vector<ProcessExit>* exits) {
  kill(-pid, SIGKILL);  // strays left in the group; the leader is a zombie and unaffected
  outside_.clear();
  GroupUsage sampled;
  if (sampler_ != nullptr) sampled = TakeSampledUsage(pid);  // from the zombie, before wait4
  int status = 0;
  rusage usage = {};
  while (wait4(pid, &status, WNOHANG, &usage) < 0 && errno == EINTR) {
  }
  int64_t end_ns = MonotonicNanos();
  close(child->pidfd);  // also removes it from the epoll set

  ProcessExit& exit = exits->emplace_back();
  exit.run_id = child->run_id;
  if (WIFSIGNALED(status)) {
    exit.usage.exit_code = -1;
    exit.usage.term_signal = WTERMSIG(status);
  } else {
    exit.usage.exit_code = WEXITSTATUS(status);
    exit.usage.term_signal = 0;
    // The shell could not run the command; its message says why.
    if ((exit.usage.exit_code == 126 || exit.usage.exit_code == 127) &&
        !child->stderr_path.empty()) {
      exit.usage.stderr_tail = ReadStderrTail(child->stderr_path);
    }
  }
  exit.usage.wall = Duration((end_ns - child->start_ns) / 1000);
  exit.usage.user_cpu = FromTimeval(usage.ru_utime);
  exit.usage.sys_cpu = FromTimeval(usage.ru_stime);
  exit.usage.max_rss_bytes = static_cast<int64_t>(usage.ru_maxrss) * 1024;
  exit.usage.memory_exceeded = child->memory_exceeded;
  escaped_->Ended(child->run_id, outside_, end_ns);
  outside_.clear();
  if (sampler_ != nullptr) {
    AttemptUsage& u = exit.usage;
    u.max_rss_bytes = std::max(u.max_rss_bytes, sampled.peak_rss_bytes);
    u.user_cpu = std::max(u.user_cpu, sampled.user_cpu);
    u.sys_cpu = std::max(u.sys_cpu, sampled.sys_cpu);
    u.read_bytes = sampled.read_bytes;
    u.write_bytes = sampled.write_bytes;
    const double mean =
        u.wall > Duration(0) ? ToSeconds(u.user_cpu + u.sys_cpu) / ToSeconds(u.wall) : 0.0;
    u.peak_cores = std::max(sampled.peak_cores, mean);
  }
}

}  // namespace allot
