// ProcSource: where usage sampling and the launcher read per-process files: the real /proc, or
// fixtures in tests. Not thread-safe: one owner.
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
  // Replaces *text with /proc/<pid>/task/<tid>/children: the children that thread started or
  // was given as a subreaper; false when there are none or it cannot be read.
  virtual bool ReadChildren(pid_t pid, pid_t tid, std::string* text) { return false; }
  // Replaces *tids with the thread ids of `pid` (empty when it is gone).
  virtual void ListThreads(pid_t pid, std::vector<pid_t>* tids) { tids->clear(); }
  // Replaces *text with /proc/<pid>/environ (the environment it was exec'd with, NUL after
  // each entry); false when it is empty or cannot be read (another user's process).
  virtual bool ReadEnviron(pid_t pid, std::string* text) { return false; }
};

// The real /proc; nullptr when it cannot be opened.
std::unique_ptr<ProcSource> NewSystemProcSource();

}  // namespace allot
