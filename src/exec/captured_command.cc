#include "exec/captured_command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

extern char** environ;

namespace allot {
namespace {

constexpr size_t kMaxBytes = 16u << 20;

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

}  // namespace

CapturedOutput RunCaptured(const std::vector<std::string>& argv, const std::string& stdin_text,
                           Duration timeout) {
  CapturedOutput r;
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    r.exit_code = 127;
    r.err = std::string("pipe: ") + std::strerror(errno);
    return r;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int spawned = posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  int fds[3] = {in[1], out[0], err[0]};
  if (spawned != 0) {
    for (int& fd : fds) CloseFd(fd);
    r.exit_code = 127;
    r.err = argv[0] + ": " + std::strerror(spawned);
    return r;
  }
  for (int fd : fds) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  signal(SIGPIPE, SIG_IGN);  // a command that does not read its input
  size_t written = 0;
  if (stdin_text.empty()) CloseFd(fds[0]);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timed_out = false;
  while (fds[1] >= 0 || fds[2] >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p[3];
    int n = 0;
    int which[3];
    if (fds[0] >= 0) p[n] = {fds[0], POLLOUT, 0}, which[n++] = 0;
    for (int k = 1; k < 3; ++k) {
      if (fds[k] >= 0) p[n] = {fds[k], POLLIN, 0}, which[n++] = k;
    }
    if (poll(p, n, static_cast<int>(std::min<int64_t>(left.count(), 1000))) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < n; ++i) {
      if (p[i].revents == 0) continue;
      const int k = which[i];
      if (k == 0) {
        ssize_t w = write(fds[0], stdin_text.data() + written, stdin_text.size() - written);
        if (w > 0) written += static_cast<size_t>(w);
        if (w < 0 && errno != EAGAIN) written = stdin_text.size();
        if (written >= stdin_text.size()) CloseFd(fds[0]);
        continue;
      }
      char buf[65536];
      ssize_t got = read(fds[k], buf, sizeof buf);
      if (got > 0) {
        std::string& sink = k == 1 ? r.out : r.err;
        if (sink.size() < kMaxBytes) sink.append(buf, std::min(kMaxBytes - sink.size(),
                                                               static_cast<size_t>(got)));
      } else if (got == 0 || errno != EAGAIN) {
        CloseFd(fds[k]);
      }
    }
  }
  for (int& fd : fds) CloseFd(fd);
  if (timed_out) kill(-pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    r.exit_code = 124;
  } else if (WIFEXITED(status)) {
    r.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    r.exit_code = 128 + WTERMSIG(status);
  }
  return r;
}

}  // namespace allot
