#include "server/campaign_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

namespace allot {

Result<std::unique_ptr<CampaignLock>> CampaignLock::Acquire(const std::string& journal_path) {
  const std::string path = journal_path + ".lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("cannot open " + path, errno);
  int locked = -1;
  for (int attempt = 0; attempt < 5 && locked != 0; ++attempt) {
    if (attempt > 0) ::usleep(20'000);
    locked = ::flock(fd, LOCK_EX | LOCK_NB);
    if (locked != 0 && errno != EWOULDBLOCK) break;
  }
  if (locked != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return Status::FailedPrecondition("another allot is running the campaign of " +
                                        journal_path + " (it holds " + path + ")");
    }
    return ErrnoStatus("cannot lock " + path, err);
  }
  return std::unique_ptr<CampaignLock>(new CampaignLock(fd));
}

Result<CampaignLock::Holder> CampaignLock::Probe(const std::string& journal_path) {
  const std::string path = journal_path + ".lock";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Holder::kNoLockFile;
    return ErrnoStatus("cannot open " + path, errno);
  }
  const int locked = ::flock(fd, LOCK_SH | LOCK_NB);
  const int err = errno;
  ::close(fd);  // also releases the shared lock
  if (locked == 0) return Holder::kNobody;
  if (err == EWOULDBLOCK) return Holder::kSomeone;
  return ErrnoStatus("cannot lock " + path, err);
}

CampaignLock::~CampaignLock() { ::close(fd_); }

}  // namespace allot
