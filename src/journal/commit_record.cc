#include "journal/commit_record.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>

namespace allot {
namespace {

constexpr char kMagic[] = "allot-journal-committed 1";
// Magic, id, two 20-digit counts, 3 spaces and a newline: 25 + 1 + 16 + 1 + 20 + 1 + 20 + 1.
constexpr size_t kRecordSize = 85;

bool IsHex16(const std::string& s) {
  if (s.size() != 16) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::string CommitRecord::PathFor(const std::string& journal_path) {
  return journal_path + ".committed";
}

Result<std::optional<CommittedCounts>> CommitRecord::Read(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<CommittedCounts>();
    return ErrnoStatus("cannot read " + path, errno);
  }
  char buf[kRecordSize + 1] = {};
  ssize_t n = pread(fd, buf, kRecordSize, 0);
  int err = errno;
  close(fd);
  if (n < 0) return ErrnoStatus("cannot read " + path, err);
  if (static_cast<size_t>(n) != kRecordSize || buf[kRecordSize - 1] != '\n') {
    return std::optional<CommittedCounts>();
  }
  char id[17] = {};
  int64_t tasks = -1, last_seq = -1;
  int consumed = 0;
  const std::string format = std::string(kMagic) + " %16s %20" SCNd64 " %20" SCNd64 "\n%n";
  if (std::sscanf(buf, format.c_str(), id, &tasks, &last_seq, &consumed) != 3 ||
      static_cast<size_t>(consumed) != kRecordSize || !IsHex16(id) || tasks < 0 ||
      last_seq < 0) {
    return std::optional<CommittedCounts>();
  }
  return std::optional<CommittedCounts>(CommittedCounts{id, tasks, last_seq});
}

Status CommitRecord::Remove(const std::string& path) {
  if (unlink(path.c_str()) == 0 || errno == ENOENT) return Status::Ok();
  return ErrnoStatus("cannot remove " + path, errno);
}

CommitRecord::~CommitRecord() {
  if (fd_ >= 0) close(fd_);
}

Status CommitRecord::Write(const CommittedCounts& counts) {
  if (!IsHex16(counts.journal_id)) {
    return Status::Internal(path_ + ": journal id \"" + counts.journal_id +
                            "\" is not 16 hex digits");
  }
  if (fd_ < 0) {
    fd_ = open(path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) return ErrnoStatus("cannot write " + path_, errno);
  }
  char buf[kRecordSize + 1];
  int n = std::snprintf(buf, sizeof buf, "%s %s %020" PRId64 " %020" PRId64 "\n", kMagic,
                        counts.journal_id.c_str(), counts.tasks, counts.last_seq);
  if (n != static_cast<int>(kRecordSize)) return Status::Internal(path_ + ": record too long");
  // One write of the whole record at offset 0. A reader racing it may see a mix of the two
  // (DescribeJournalLoss reads again before it reports).
  if (pwrite(fd_, buf, kRecordSize, 0) != static_cast<ssize_t>(kRecordSize)) {
    return ErrnoStatus("cannot write " + path_, errno);
  }
  return Status::Ok();
}

}  // namespace allot
