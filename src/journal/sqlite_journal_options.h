// How SqliteJournal::Open treats the file and how durable each Commit is.
#pragma once

#include <functional>
#include <optional>
#include <string>
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
  // How long an operation waits, retrying with backoff, for a lock that another process holds
  // (the sqlite3 shell, a backup, a reader recovering the log) before it fails with
  // Unavailable. 0: fail at once.
  int busy_timeout_ms = 60'000;
  // Called while an operation waits for such a lock (see SqliteBusyWait): a line naming the
  // file, for the log. May be empty. Called on the journal owner's thread.
  std::function<void(const std::string&)> on_busy_wait = nullptr;
  // Open a journal that lost committed records (SqliteJournal::loss() says what) instead of
  // refusing it; the first commit notes the accepted loss in journal_info "loss_accepted".
  bool accept_loss = false;
  // Appended to the message of a refused loss: how the caller's user accepts it (e.g. "pass
  // --accept-journal-loss to continue from what the file holds").
  std::string accept_loss_hint = {};
};

}  // namespace allot
