// JournalStore: the durable record of a campaign. Submissions and state-transition events are
// appended to an open batch; Commit() makes the whole batch durable in one sync (group commit).
// Nothing appended is acknowledged to anyone before Commit() returned OK. Any failed Append*,
// PutMeta or Commit discards the whole open batch (the Status says so); earlier batches stay.
// Shared rules: a reused task id is AlreadyExists, an index breaking the dense sequence is
// FailedPrecondition, an event for a task not yet submitted is InvalidArgument.
//
// Implementations: SqliteJournal (the real one), MemoryJournal (tests); both pass the one
// contract suite in journal_contract_test.cc. Not thread-safe: one owner (the server loop).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "model/submission.h"
#include "model/task_event.h"
#include "model/task_spec.h"

namespace allot {

// Everything a journal holds, in append order.
struct JournalContents {
  std::vector<Submission> submissions;
  std::vector<TaskEvent> events;
  std::vector<std::pair<std::string, std::string>> meta;
};

class JournalStore {
 public:
  virtual ~JournalStore() = default;

  // Appends to the open batch. REQUIRES: submission indices continue the dense sequence.
  virtual Status AppendSubmissions(std::span<const Submission> submissions) = 0;
  virtual Status AppendEvents(std::span<const TaskEvent> events) = 0;
  // Sets a key in the campaign's metadata (e.g. "cores"), in the open batch.
  virtual Status PutMeta(const std::string& key, const std::string& value) = 0;
  // Makes the open batch durable; on failure nothing of the batch is visible after a reopen.
  virtual Status Commit() = 0;
  // Everything committed so far.
  virtual Result<JournalContents> Load() = 0;
  // What Scheduler::Recover needs of everything committed so far: as Load, except that a
  // store may give a task that finished (its last event ends it for good) as a brief
  // Submission, without decoding its whole spec. Restarting a large campaign is then as fast
  // as the unfinished part is large. By default, Load().
  virtual Result<JournalContents> LoadForRecovery() { return Load(); }
};

}  // namespace allot
