#include "exec/task_spawn.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace allot {
namespace {

constexpr char kShell[] = "/bin/sh";

struct ChildArgs {
  const TaskSpawnPlan* plan;
  int max_fd;            // for closing descriptors when close_range is unavailable
  SpawnFailure failure;  // written by the child (shared memory) before it exits
};

// The raw syscall: blocks glibc's internal signals too, as posix_spawn does.
void SetSignalMask(const sigset_t* set, sigset_t* old) {
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, set, old, _NSIG / 8);
}

// Puts `path` (or /dev/null when empty) on descriptor `target`; 0 or an errno.
int OpenOnto(const char* path, int dev_null_fd, int target) {
  if (path[0] == '\0') return dup2(dev_null_fd, target) < 0 ? errno : 0;
  constexpr int kFlags = O_WRONLY | O_CREAT | O_TRUNC;
  constexpr mode_t kMode = 0600;  // output can hold secrets; the task's own files keep the umask
  int fd = open(path, kFlags, kMode);
  if (fd < 0) return errno;
  if (fd != target) {
    if (dup2(fd, target) < 0) return errno;
    close(fd);
  }
  return 0;
}

[[noreturn]] void Fail(ChildArgs* args, SpawnStep step, int err) {
  args->failure.err = err;
  args->failure.step = step;
  _exit(127);
}

// Runs in the child, on the spawner's stack, in the parent's memory: async-signal-safe calls
// only, no allocation. Every signal is blocked on entry.
int ChildMain(void* arg) {
  auto* args = static_cast<ChildArgs*>(arg);
  const TaskSpawnPlan& plan = *args->plan;
  if (plan.cpus != nullptr && sched_setaffinity(0, sizeof(*plan.cpus), plan.cpus) != 0) {
    Fail(args, SpawnStep::kAffinity, errno);
  }
  if (setpgid(0, 0) != 0) Fail(args, SpawnStep::kSetup, errno);
  // Default dispositions for every signal (without CLONE_SIGHAND the table is the child's own
  // copy); glibc refuses its internal signals, which exec resets anyway.
  struct sigaction dfl = {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < _NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    sigaction(sig, &dfl, nullptr);
  }
  if (dup2(plan.dev_null_fd, STDIN_FILENO) < 0) Fail(args, SpawnStep::kSetup, errno);
  if (plan.cwd[0] != '\0' && chdir(plan.cwd) != 0) Fail(args, SpawnStep::kSetup, errno);
  if (int err = OpenOnto(plan.stdout_path, plan.dev_null_fd, STDOUT_FILENO); err != 0) {
    Fail(args, SpawnStep::kSetup, err);
  }
  if (plan.same_output) {
    if (dup2(STDOUT_FILENO, STDERR_FILENO) < 0) Fail(args, SpawnStep::kSetup, errno);
  } else if (int err = OpenOnto(plan.stderr_path, plan.dev_null_fd, STDERR_FILENO); err != 0) {
    Fail(args, SpawnStep::kSetup, err);
  }
  if (close_range(STDERR_FILENO + 1, ~0U, 0) != 0) {
    for (int fd = STDERR_FILENO + 1; fd < args->max_fd; ++fd) close(fd);
  }
  sigset_t empty;
  sigemptyset(&empty);
  SetSignalMask(&empty, nullptr);
  execve(plan.path, plan.argv, plan.envp);
  int err = errno;
  if (plan.shell_argv != nullptr && IsExecError(err)) {
    execve(kShell, plan.shell_argv, plan.envp);
    err = errno;
  }
  Fail(args, SpawnStep::kExec, err);
}

}  // namespace

bool IsExecError(int err) {
  return err == ENOENT || err == EACCES || err == ENOEXEC || err == ENOTDIR || err == ELOOP ||
         err == ETXTBSY || err == EPERM;
}

TaskSpawner::TaskSpawner() : stack_(new char[kStackSize]) {
  rlimit files;
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < 65536) {
    max_fd_ = static_cast<int>(files.rlim_cur);
  }
}

SpawnFailure TaskSpawner::Spawn(const TaskSpawnPlan& plan, pid_t* pid, int* pidfd) {
  ChildArgs args{&plan, max_fd_, {}};
  // No handler of this process may run in the child (it would run on the child's stack in
  // our memory), so everything is blocked until the child has reset its dispositions.
  sigset_t all, old;
  sigfillset(&all);
  SetSignalMask(&all, &old);
  int fd = -1;
  // The stack grows down on every Linux target of the project.
  pid_t child = clone(ChildMain, stack_.get() + kStackSize,
                      CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, &args, &fd);
  int clone_err = errno;
  SetSignalMask(&old, nullptr);
  if (child < 0) return SpawnFailure{clone_err, SpawnStep::kClone};
  // CLONE_VFORK: the child has exec'd or exited by now, so its report is complete.
  if (args.failure.err != 0) {
    while (waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
    }
    close(fd);
    return args.failure;
  }
  *pid = child;
  *pidfd = fd;
  return SpawnFailure{};
}

}  // namespace allot
