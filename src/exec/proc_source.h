// ProcSource: where usage sampling reads per-process files: the real /proc, or fixtures in
// tests. Not thread-safe: one owner.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

namespace allot {

class ProcSource {
 public:
  virtual ~ProcSource() = default;
  // Replaces *pids with the ids of the processes that exist now (thread-group leaders).
  virtual void ListPids(std::vector<pid_t>* pids) = 0;
  // Replaces *text with /proc/<pid>/stat or /proc/<pid>/io; false when it cannot be read (the
  // process is gone, or its io belongs to another user).
  virtual bool ReadStat(pid_t pid, std::string* text) = 0;
  virtual bool ReadIo(pid_t pid, std::string* text) = 0;
};

// The real /proc; nullptr when it cannot be opened.
std::unique_ptr<ProcSource> NewSystemProcSource();

}  // namespace allot
