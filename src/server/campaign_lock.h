// CampaignLock: at most one allot drives a campaign's journal at a time. An exclusive flock on
// "<journal>.lock", held for the life of the object and released by the kernel if the process
// dies, so a kill -9 never leaves a stale lock behind.
#pragma once

#include <memory>
#include <string>

#include "common/result.h"

namespace allot {

class CampaignLock {
 public:
  // FailedPrecondition naming the journal when another process holds the lock (after a few
  // retries over ~0.1 s: a Probe holds it for an instant).
  static Result<std::unique_ptr<CampaignLock>> Acquire(const std::string& journal_path);

  enum class Holder {
    kNoLockFile,  // no allot run has driven this journal (a server's, or never run)
    kNobody,      // the lock file is there and free: nothing drives the campaign now
    kSomeone,     // an allot holds it
  };
  // Who holds the lock of `journal_path`, without creating anything. Takes a shared lock for
  // an instant.
  static Result<Holder> Probe(const std::string& journal_path);
  ~CampaignLock();
  CampaignLock(const CampaignLock&) = delete;
  CampaignLock& operator=(const CampaignLock&) = delete;

 private:
  explicit CampaignLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace allot
