// Starting one task process: clone(CLONE_VM | CLONE_VFORK | CLONE_PIDFD) with a child that sets
// up the task and execs, as glibc's posix_spawn does, plus what posix_spawn cannot do: the
// child sets its own CPU mask before exec, so the calling thread's mask is never touched (it
// used to be pinned to the task's CPUs around the spawn, which dragged an event loop onto a
// busy CPU at every launch).
//
// The child shares this process's memory and runs on a stack owned by the TaskSpawner until it
// execs or exits (the parent thread is suspended meanwhile, CLONE_VFORK), so it allocates
// nothing and makes only async-signal-safe calls on data the caller prepared. Every signal is
// blocked in the calling thread around the clone, so no handler of the parent ever runs on
// the child's stack; the child resets every disposition to SIG_DFL and then empties its mask.
//
// In the child, in this order: CPU mask (when given), new process group (pgid = pid), default
// dispositions and empty signal mask, stdin from the /dev/null descriptor, chdir (when cwd is
// not empty, before the opens so relative stdio paths are the task's), stdout and stderr
// created or truncated (0600: private; one open shared by both when same_output; an
// empty path means /dev/null), every descriptor >= 3 closed, then execve of `path`. When that
// execve fails with an error of the exec step itself and `shell_argv` is given, /bin/sh runs
// `shell_argv` instead (it reports "not found" and the like with the usual exit codes).
//
// Not thread-safe: one TaskSpawner per thread (its stack is in use for the whole spawn).
#pragma once

#include <sched.h>
#include <sys/types.h>

#include <memory>

namespace allot {

struct TaskSpawnPlan {
  const char* path = nullptr;  // resolved program (relative ones are cwd's)
  char* const* argv = nullptr;
  char* const* shell_argv = nullptr;  // fallback for /bin/sh when exec'ing `path` fails; or null
  char* const* envp = nullptr;
  const cpu_set_t* cpus = nullptr;  // null: inherit the calling thread's mask
  const char* cwd = "";
  const char* stdout_path = "";
  const char* stderr_path = "";
  bool same_output = false;  // stderr shares stdout's open file
  int dev_null_fd = -1;      // O_RDWR /dev/null, > 2
};

// Where the child failed, for the caller's error message.
enum class SpawnStep { kNone, kClone, kAffinity, kSetup, kExec };

struct SpawnFailure {
  int err = 0;  // 0: the program is running
  SpawnStep step = SpawnStep::kNone;
};

// True for the errno values of a failed execve after which the shell should get its turn.
bool IsExecError(int err);

class TaskSpawner {
 public:
  TaskSpawner();
  TaskSpawner(const TaskSpawner&) = delete;
  TaskSpawner& operator=(const TaskSpawner&) = delete;

  // On success sets *pid and *pidfd (O_CLOEXEC, from CLONE_PIDFD) and returns err 0. On failure
  // the child (if any) has been reaped and nothing is left running or open.
  SpawnFailure Spawn(const TaskSpawnPlan& plan, pid_t* pid, int* pidfd);

 private:
  static constexpr size_t kStackSize = 64 * 1024;
  std::unique_ptr<char[]> stack_;
  int max_fd_ = 65536;  // closing bound if close_range fails (kernels before 5.9)
};

}  // namespace allot
