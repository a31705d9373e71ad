#include "exec/leftover_processes.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <string_view>
#include <thread>

namespace allot {
namespace {

bool ReadAll(const std::string& path, std::string* out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[8192];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out->append(buf, static_cast<size_t>(n));
  ::close(fd);
  return true;
}

// True when a NUL-separated environment block holds ALLOT_WORKDIR=<prefix>/...
bool EnvironMatches(std::string_view block, std::string_view wanted) {
  size_t pos = 0;
  while (pos < block.size()) {
    size_t end = block.find('\0', pos);
    if (end == std::string_view::npos) end = block.size();
    if (block.substr(pos, wanted.size()) == wanted) return true;
    pos = end + 1;
  }
  return false;
}

bool Alive(int pid) {
  // A zombie is dead for our purpose: it holds no CPU and only its parent can reap it.
  std::string stat;
  if (!ReadAll("/proc/" + std::to_string(pid) + "/stat", &stat)) return false;
  size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
}

}  // namespace

std::vector<int> FindLeftoverProcesses(const std::string& campaign_workdir) {
  std::vector<int> pids;
  const std::string wanted = "ALLOT_WORKDIR=" + campaign_workdir + "/";
  const int self = static_cast<int>(::getpid());
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return pids;
  while (dirent* entry = ::readdir(proc)) {
    char* end = nullptr;
    long pid = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || pid == self) continue;
    std::string environ_block;
    if (!ReadAll("/proc/" + std::string(entry->d_name) + "/environ", &environ_block)) continue;
    if (EnvironMatches(environ_block, wanted)) pids.push_back(static_cast<int>(pid));
  }
  ::closedir(proc);
  return pids;
}

Result<int> KillLeftoverProcesses(const std::string& campaign_workdir, int timeout_ms) {
  std::vector<int> pids = FindLeftoverProcesses(campaign_workdir);
  for (int pid : pids) ::kill(pid, SIGKILL);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (int pid : pids) {
    while (Alive(pid)) {
      if (std::chrono::steady_clock::now() > deadline) {
        return Status::IoError("process " + std::to_string(pid) + " of an earlier run of " +
                               campaign_workdir + " survives SIGKILL");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  return static_cast<int>(pids.size());
}

}  // namespace allot
