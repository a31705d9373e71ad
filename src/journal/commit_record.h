// CommitRecord: what a journal had committed, kept beside it in "<journal>.committed", so that
// a journal which lost part of its write-ahead log is noticed instead of silently rolled back.
//
// Why: in WAL mode SQLite keeps the latest commits only in "<journal>-wal" until a checkpoint
// copies them into the main file. A -wal deleted after a crash, damaged, or left behind when the
// main file is copied takes those commits with it, and SQLite opens the older state without a
// word: finished tasks would run again.
//
// The record is one fixed-size line, rewritten in place by one pwrite after each commit:
//   allot-journal-committed 1 <journal id: 16 hex> <tasks: 20 digits> <last seq: 20 digits>
// It is written after the commit returned, so it is never ahead of what was committed: a
// journal holding fewer tasks or events than its record lost commits. A record that is behind
// (its write lost in a power failure) is harmless. It is not fsync'ed: under
// JournalDurability::kNormal a power loss may lose the last commits, and the record, where its
// write reached the disk, then says so.
//
// Not thread-safe: one owner (the journal's writer). Readers use the static Read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.h"

namespace allot {

struct CommittedCounts {
  std::string journal_id;  // the journal's meta "journal_id" (16 hex digits)
  int64_t tasks = 0;       // submissions committed
  int64_t last_seq = 0;    // the seq of the last committed event (0: none)
  bool operator==(const CommittedCounts&) const = default;
};

class CommitRecord {
 public:
  // "<journal>.committed"
  static std::string PathFor(const std::string& journal_path);
  // The record at `path`; nullopt when there is no file or it does not hold a record (it is
  // ignored then, and rewritten by the next commit). IoError when it cannot be read.
  static Result<std::optional<CommittedCounts>> Read(const std::string& path);
  // Removes the record at `path` (a new journal is being created there); OK when there is none.
  static Status Remove(const std::string& path);

  explicit CommitRecord(std::string path) : path_(std::move(path)) {}
  ~CommitRecord();
  CommitRecord(const CommitRecord&) = delete;
  CommitRecord& operator=(const CommitRecord&) = delete;

  // Overwrites the record with `counts`; the file is created (0644) by the first write.
  Status Write(const CommittedCounts& counts);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace allot
