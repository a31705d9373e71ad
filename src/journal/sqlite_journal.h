// SqliteJournal: the JournalStore in one SQLite file, in WAL mode (schema: journal_schema.h).
//
// Group commit: the first append after a Commit begins a transaction; Commit() ends it, which
// is one WAL append (plus one fsync under JournalDurability::kFull). Prepared statements are
// reused, so a commit of a few rows costs tens of microseconds under kNormal.
//
// Failures: any Append*, PutMeta or Commit that fails discards the whole open batch (the
// Status says so); what was committed before stays. Codes: Unavailable when another process
// holds the write lock (SQLITE_BUSY); IoError for a full disk or an I/O error; every message
// names the file. Destroying the journal with a batch open drops the batch, as a crash would.
//
// Lost commits (journal_loss.h): a journal holding less than was committed to it (its -wal
// deleted or damaged after a crash, or its main file copied alone) is refused by Open with
// Corruption saying how much is missing, unless SqliteJournalOptions::accept_loss; readers open
// it and report it in loss(). To tell, each commit rewrites "<journal>.committed"
// (commit_record.h), and a writer keeps a "not closed cleanly" mark in the table journal_info
// from its first commit until it is destroyed without a batch open.
//
// Busy: an operation that finds the file locked by another process waits for it, with backoff,
// for SqliteJournalOptions::busy_timeout_ms (one minute by default), then fails with Unavailable.
//
// Concurrency: one writer per file. Readers opened with OpenReadOnly, in this process or
// others, may Load while the writer appends and commits; each Load sees exactly the batches
// committed when it began. Not thread-safe: one owner per object.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "journal/commit_record.h"
#include "journal/journal_loader.h"
#include "journal/journal_store.h"
#include "journal/sqlite_db.h"
#include "journal/sqlite_journal_options.h"

namespace allot {

class SqliteJournal final : public JournalStore {
 public:
  // Opens or creates the journal at `path` (see SqliteJournalOptions). InvalidArgument naming
  // the file when it exists but is not an Allot journal.
  static Result<std::unique_ptr<SqliteJournal>> Open(const std::string& path,
                                                     const SqliteJournalOptions& options = {});
  // Opens an existing journal for Load only, possibly while another process writes it, without
  // ever modifying the file. Append*, PutMeta and Commit fail with FailedPrecondition.
  static Result<std::unique_ptr<SqliteJournal>> OpenReadOnly(const std::string& path);

  // Closes the journal; without a batch open, cleanly (the "not closed cleanly" mark goes).
  ~SqliteJournal() override;

  Status AppendSubmissions(std::span<const Submission> submissions) override;
  Status AppendEvents(std::span<const TaskEvent> events) override;
  Status AppendMetrics(std::span<const MetricPoint> metrics) override;
  Status AppendScenarioDecisions(std::span<const ScenarioDecision> decisions) override;
  Status PutMeta(const std::string& key, const std::string& value) override;
  Status Commit() override;
  // Only what is committed: with a batch open, reads through a second, read-only connection.
  Result<JournalContents> Load() override;
  // Finished tasks brief where their rows have the brief columns (journal_schema.h); the
  // events are read on a second connection while the tasks load and are handed on in chunks
  // (LoadJournalForRecovery).
  Status LoadForRecovery(RecoveryConsumer* consumer) override;
  // One lookup (the committed value, also while a batch is open).
  Result<std::optional<std::string>> GetMeta(const std::string& key) override;
  // Every committed metric (also while a batch is open).
  Result<std::vector<MetricPoint>> LoadMetrics() override;

  const std::string& path() const { return db_.path(); }
  bool read_only() const { return read_only_; }
  // The index the next submission must have (writers only; 0 when read-only).
  TaskIndex next_task_index() const { return static_cast<TaskIndex>(next_task_); }
  // SQLite's integrity_check: every page, and every index entry against its row. The problems
  // it reports (empty: none). Reads the whole file, seconds per gigabyte: for
  // `allot journal check`, not for every open.
  Result<std::vector<std::string>> CheckIntegrity();
  // What the journal is known to have lost, naming the file and how many events (empty when
  // nothing): set for a reader, and for a writer opened with accept_loss.
  const std::string& loss() const { return loss_; }

 private:
  SqliteJournal(SqliteDb db, bool read_only) : db_(std::move(db)), read_only_(read_only) {}
  Status PrepareWriter();
  Status CheckWritable() const;
  Status BeginIfNeeded();
  // Rolls back the open batch and returns `cause`, saying the batch was discarded.
  Status DiscardBatch(const Status& cause);
  // In the first batch: the journal id (when new), the "not closed cleanly" mark and an
  // accepted loss, into journal_info.
  Status MarkOpenInBatch();
  Status PutInfo(const std::string& key, const std::string& value);
  // After a commit: the mark reaches the main file once, the commit record every time.
  void AfterCommit();

  SqliteDb db_;
  bool read_only_;
  SqliteStatement begin_;
  SqliteStatement commit_;
  SqliteStatement rollback_;
  SqliteStatement insert_task_;
  SqliteStatement insert_event_;
  SqliteStatement insert_metric_;
  SqliteStatement insert_decision_;
  SqliteStatement put_meta_;
  bool batch_open_ = false;
  int64_t committed_tasks_ = 0;  // rows in tasks as of the last commit
  int64_t next_task_ = 0;        // committed + appended to the open batch
  int64_t committed_seq_ = 1;    // the seq the first event after the last commit gets
  int64_t next_seq_ = 1;
  std::unique_ptr<CommitRecord> record_;  // writers only
  std::string journal_id_;       // "" until the first commit of a journal without one
  std::string new_journal_id_;   // set in the open batch that gives the journal its id
  bool marked_open_ = false;     // the "not closed cleanly" mark is committed
  bool marking_batch_ = false;   // the open batch holds the mark
  std::string loss_;
  bool loss_to_note_ = false;    // an accepted loss not yet noted in journal_info
  std::jthread freeing_;  // frees what the last LoadForRecovery read
  std::string spec_json_;  // reused bind buffers
  std::string cores_;
  std::string gpus_;
};

}  // namespace allot
