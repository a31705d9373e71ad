// Shared by the exec integration tests (header-only, test code only): finding allot-test-task,
// temporary directories, and event-driven waiting with generous deadlines (poll on the
// launcher's ReadyFd, inotify for files, pidfds for processes) instead of sleep loops.
#pragma once

#include <poll.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "exec/process_launcher.h"

extern char** environ;

namespace allot::exec_itest {

// Deadlines for waiting on real processes: far above anything a healthy run needs.
inline constexpr std::chrono::milliseconds kPatience{60'000};

// $ALLOT_BIN_DIR/allot-test-task, else the one beside this test binary.
inline std::string TestTaskPath() {
  if (const char* dir = std::getenv("ALLOT_BIN_DIR"); dir != nullptr && dir[0] != '\0') {
    return std::string(dir) + "/allot-test-task";
  }
  return (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "allot-test-task")
      .string();
}

// This process's environment as "KEY=VALUE" strings.
inline std::vector<std::string> CurrentEnv() {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) env.emplace_back(*entry);
  return env;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A fresh directory, removed with its contents at destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "allot-exec-XXXXXX").string();
    path_ = mkdtemp(pattern.data()) ? pattern : "";
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Collects exits from a launcher, keeping those of other runs for later calls.
class ExitWaiter {
 public:
  explicit ExitWaiter(ProcessLauncher* launcher) : launcher_(launcher) {}

  // The exit of `run_id`, or nullopt when it has not come within `patience`.
  std::optional<ProcessExit> Wait(RunId run_id, std::chrono::milliseconds patience = kPatience) {
    auto deadline = std::chrono::steady_clock::now() + patience;
    while (true) {
      Collect();
      if (auto it = seen_.find(run_id); it != seen_.end()) {
        ProcessExit exit = it->second;
        seen_.erase(it);
        return exit;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd fd = {launcher_->ReadyFd(), POLLIN, 0};
      poll(&fd, 1, static_cast<int>(std::min(left, UntilSample()).count()));
      SampleIfDue();
    }
  }

  // Every exit collected so far and not yet returned by Wait.
  std::map<RunId, ProcessExit> TakeSeen() { return std::exchange(seen_, {}); }

  // Samples usage when the launcher says it is due, as an event loop would.
  void SampleIfDue() {
    auto due = launcher_->NextSampleDue();
    if (due && *due <= std::chrono::steady_clock::now()) launcher_->Sample();
  }

  void Collect() {
    std::vector<ProcessExit> exits;
    launcher_->CollectExits(&exits);
    for (ProcessExit& exit : exits) seen_[exit.run_id] = exit;
  }

 private:
  std::chrono::milliseconds UntilSample() const {
    auto due = launcher_->NextSampleDue();
    if (!due) return kPatience;
    auto left =
        std::chrono::ceil<std::chrono::milliseconds>(*due - std::chrono::steady_clock::now());
    return std::max(left, std::chrono::milliseconds(0));
  }

  ProcessLauncher* launcher_;
  std::map<RunId, ProcessExit> seen_;
};

// True once `path` exists (created, or renamed into place), false after `patience`.
inline bool WaitForFile(const std::string& path, std::chrono::milliseconds patience = kPatience) {
  int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  std::string dir = std::filesystem::path(path).parent_path().string();
  inotify_add_watch(fd, dir.c_str(), IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE);
  auto deadline = std::chrono::steady_clock::now() + patience;
  bool found = false;
  while (!(found = std::filesystem::exists(path))) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p = {fd, POLLIN, 0};
    poll(&p, 1, static_cast<int>(left.count()));
    char buffer[4096];
    while (read(fd, buffer, sizeof(buffer)) > 0) {
    }
  }
  close(fd);
  return found;
}

// The pid written in a pidfile, once the file exists; -1 when it never does.
inline pid_t ReadPidFile(const std::string& path) {
  if (!WaitForFile(path)) return -1;
  return static_cast<pid_t>(std::stol(ReadFile(path)));
}

// True once `pid` has exited (or does not exist), false when it still runs after `patience`.
inline bool WaitForProcessExit(pid_t pid, std::chrono::milliseconds patience = kPatience) {
  int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) return errno == ESRCH;
  pollfd p = {fd, POLLIN, 0};
  int ready = poll(&p, 1, static_cast<int>(patience.count()));
  close(fd);
  return ready == 1;
}

// True while `pid` exists and is not a zombie.
inline bool IsAlive(pid_t pid) {
  std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z' &&
         stat[paren + 2] != 'X';
}

}  // namespace allot::exec_itest
