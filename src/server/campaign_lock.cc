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
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
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

CampaignLock::~CampaignLock() { ::close(fd_); }

}  // namespace allot
