// The file actions of one spawn: the task's stdio and working directory, run by the child in
// this order before exec.
#pragma once

#include <spawn.h>

namespace allot {

// stdin from `dev_null_fd` (an O_RDWR descriptor of /dev/null); chdir to `cwd` (none when
// empty), before the opens so that relative stdio paths are relative to the task's directory;
// stdout and stderr created or truncated (one open shared by both when the paths are equal, so
// their writes interleave instead of overwriting each other; an empty path means /dev/null);
// then every other descriptor closed, so descriptors that other code opened without O_CLOEXEC
// never leak into tasks. glibc copies the paths; the object owns the action list.
class SpawnFileActions {
 public:
  SpawnFileActions(int dev_null_fd, const char* stdout_path, const char* stderr_path,
                   const char* cwd);
  ~SpawnFileActions();
  SpawnFileActions(const SpawnFileActions&) = delete;
  SpawnFileActions& operator=(const SpawnFileActions&) = delete;

  // 0, or the errno of the first action that could not be recorded (ENOMEM).
  int error() const { return error_; }
  const posix_spawn_file_actions_t* get() const { return &actions_; }

 private:
  void Check(int rc) {
    if (error_ == 0) error_ = rc;
  }
  void AddOutput(int dev_null_fd, int fd, const char* path);

  posix_spawn_file_actions_t actions_;
  int error_ = 0;
};

}  // namespace allot
