#include "exec/proc_source.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>

namespace allot {
namespace {

// Reads /proc through one directory descriptor: a listing is one getdents pass, a file is
// openat + read + close.
class SystemProcSource final : public ProcSource {
 public:
  explicit SystemProcSource(int proc_fd) : proc_fd_(proc_fd) {}
  ~SystemProcSource() override { close(proc_fd_); }

  void ListPids(std::vector<pid_t>* pids) override { ListNumbers(".", pids); }

  bool ReadStat(pid_t pid, std::string* text) override { return Read(pid, "/stat", text); }
  bool ReadIo(pid_t pid, std::string* text) override { return Read(pid, "/io", text); }
  bool ReadEnviron(pid_t pid, std::string* text) override { return Read(pid, "/environ", text); }

  bool ReadChildren(pid_t pid, pid_t tid, std::string* text) override {
    char path[64];
    std::snprintf(path, sizeof(path), "%d/task/%d/children", static_cast<int>(pid),
                  static_cast<int>(tid));
    return ReadPath(path, text);
  }

  void ListThreads(pid_t pid, std::vector<pid_t>* tids) override {
    char path[48];
    std::snprintf(path, sizeof(path), "%d/task", static_cast<int>(pid));
    ListNumbers(path, tids);
  }

 private:
  // The numeric names in directory `path` of /proc.
  void ListNumbers(const char* path, std::vector<pid_t>* pids) {
    pids->clear();
    int fd = openat(proc_fd_, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    DIR* dir = fdopendir(fd);
    if (dir == nullptr) {
      close(fd);
      return;
    }
    while (dirent* entry = readdir(dir)) {
      const char* name = entry->d_name;
      if (name[0] < '1' || name[0] > '9') continue;
      pid_t pid = 0;
      const char* end = name + strlen(name);
      auto [next, ec] = std::from_chars(name, end, pid);
      if (ec == std::errc() && next == end) pids->push_back(pid);
    }
    closedir(dir);
  }

  bool Read(pid_t pid, const char* file, std::string* text) {
    char path[48];
    auto [end, ec] = std::to_chars(path, path + 24, pid);
    for (const char* c = file; *c != '\0'; ++c) *end++ = *c;
    *end = '\0';
    return ReadPath(path, text);
  }

  // Reads `path` (relative to /proc) whole.
  bool ReadPath(const char* path, std::string* text) {
    int fd = openat(proc_fd_, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    text->resize(4096);
    size_t used = 0;
    while (true) {
      ssize_t n = read(fd, text->data() + used, text->size() - used);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      used += static_cast<size_t>(n);
      if (used == text->size()) text->resize(text->size() * 2);
    }
    close(fd);
    text->resize(used);
    return used > 0;
  }

  const int proc_fd_;
};

}  // namespace

std::unique_ptr<ProcSource> NewSystemProcSource() {
  int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  return std::make_unique<SystemProcSource>(fd);
}

}  // namespace allot
