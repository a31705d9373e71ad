#include "exec/spawn_file_actions.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>

namespace allot {

SpawnFileActions::SpawnFileActions(int dev_null_fd, const char* stdout_path,
                                   const char* stderr_path, const char* cwd) {
  posix_spawn_file_actions_init(&actions_);
  Check(posix_spawn_file_actions_adddup2(&actions_, dev_null_fd, STDIN_FILENO));
  if (cwd[0] != '\0') Check(posix_spawn_file_actions_addchdir_np(&actions_, cwd));
  AddOutput(dev_null_fd, STDOUT_FILENO, stdout_path);
  if (stderr_path[0] != '\0' && std::strcmp(stdout_path, stderr_path) == 0) {
    Check(posix_spawn_file_actions_adddup2(&actions_, STDOUT_FILENO, STDERR_FILENO));
  } else {
    AddOutput(dev_null_fd, STDERR_FILENO, stderr_path);
  }
  Check(posix_spawn_file_actions_addclosefrom_np(&actions_, STDERR_FILENO + 1));
}

SpawnFileActions::~SpawnFileActions() { posix_spawn_file_actions_destroy(&actions_); }

void SpawnFileActions::AddOutput(int dev_null_fd, int fd, const char* path) {
  if (path[0] == '\0') {
    Check(posix_spawn_file_actions_adddup2(&actions_, dev_null_fd, fd));
    return;
  }
  constexpr int kFlags = O_WRONLY | O_CREAT | O_TRUNC;
  constexpr mode_t kMode = 0666;  // less the umask, as a shell redirection does
  Check(posix_spawn_file_actions_addopen(&actions_, fd, path, kFlags, kMode));
}

}  // namespace allot
