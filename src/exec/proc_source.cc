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
  explicit SystemProcSource(int proc_fd) : proc_fd_(proc_fd), self_(getpid()) {}
  ~SystemProcSource() override {
    if (own_children_fd_ >= 0) close(own_children_fd_);
    close(proc_fd_);
  }

  void ListPids(std::vector<pid_t>* pids) override { ListNumbers(".", pids); }

  bool ReadStat(pid_t pid, std::string* text) override { return Read(pid, "/stat", text); }
  bool ReadIo(pid_t pid, std::string* text) override { return Read(pid, "/io", text); }
  bool ReadEnviron(pid_t pid, std::string* text) override { return Read(pid, "/environ", text); }

  bool ReadChildren(pid_t pid, pid_t tid, std::string* text) override {
    if (pid == self_ && tid == self_) return ReadOwnChildren(text);
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
    bool read = ReadWhole(fd, text);
    close(fd);
    return read;
  }

  // This process's children are read once per exit on the spawn path: the file stays open and
  // each pread from offset 0 makes the kernel list them anew (one system call, no path walk).
  bool ReadOwnChildren(std::string* text) {
    if (own_children_fd_ < 0) {
      char path[64];
      std::snprintf(path, sizeof(path), "%d/task/%d/children", static_cast<int>(self_),
                    static_cast<int>(self_));
      own_children_fd_ = openat(proc_fd_, path, O_RDONLY | O_CLOEXEC);
      if (own_children_fd_ < 0) return false;
    }
    return ReadWhole(own_children_fd_, text);
  }

  // Reads from offset 0 to the end; false when that is nothing.
  static bool ReadWhole(int fd, std::string* text) {
    text->resize(4096);
    size_t used = 0;
    while (true) {
      ssize_t n = pread(fd, text->data() + used, text->size() - used, static_cast<off_t>(used));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      used += static_cast<size_t>(n);
      if (used == text->size()) text->resize(text->size() * 2);
    }
    text->resize(used);
    return used > 0;
  }

  const int proc_fd_;
  const pid_t self_;
  int own_children_fd_ = -1;
};

}  // namespace

std::unique_ptr<ProcSource> NewSystemProcSource() {
  int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  return std::make_unique<SystemProcSource>(fd);
}

}  // namespace allot
