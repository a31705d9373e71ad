// How SqliteJournal::Open treats the file and how durable each Commit is.
#pragma once

#include <optional>
#include <string_view>

namespace allot {

enum class JournalDurability {
  // WAL + synchronous=NORMAL: a committed batch survives kill -9 of the process, not
  // necessarily a power loss or OS crash (the last commits before it may be lost, the file is
  // never corrupted). The default: commits cost tens of microseconds.
  kNormal,
  // WAL + synchronous=FULL: every Commit is fsync'ed; it survives power loss. Commits cost a
  // device flush (from ~100 us on NVMe to many ms on network filesystems).
  kFull,
};

// "normal" / "full" (the CLI's --durability values).
std::string_view JournalDurabilityName(JournalDurability d);
std::optional<JournalDurability> ParseJournalDurability(std::string_view name);

struct SqliteJournalOptions {
  // Fail with AlreadyExists when anything exists at the path (atomically: O_CREAT|O_EXCL).
  bool create_new = false;
  // Fail with NotFound when nothing exists at the path, and InvalidArgument when it is empty.
  bool must_exist = false;
  JournalDurability durability = JournalDurability::kNormal;
  // How long an operation waits for a lock held by another connection before it fails with
  // Unavailable. Only another writer of the same file holds such locks for long.
  int busy_timeout_ms = 2000;
};

}  // namespace allot
