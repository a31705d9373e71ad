#include "journal/sqlite_journal.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

#include "journal/journal_loader.h"
#include "journal/journal_loss.h"
#include "journal/journal_rows.h"
#include "journal/journal_schema.h"
#include "journal/metric_rows.h"

namespace allot {
namespace {

constexpr int kReaderBusyTimeoutMs = 5000;
// A clean close waits this long at most for the lock it needs to remove its mark.
constexpr int kCloseBusyTimeoutMs = 1000;

// NotFound when nothing is at `path`.
Status CheckExists(const std::string& path) {
  if (access(path.c_str(), F_OK) == 0) return Status::Ok();
  if (errno == ENOENT) return Status::NotFound(path + ": no journal there");
  return ErrnoStatus(path, errno);
}

// Creates an empty file at `path`, failing when anything is there: SQLite has no O_EXCL.
// Mode 0600: the journal holds every task's command and env, and SQLite gives the -wal and
// -shm files the mode of the database file.
Status CreateExclusive(const std::string& path) {
  int fd = open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      return Status::AlreadyExists(path + ": a journal (or another file) already exists there");
    }
    return ErrnoStatus("creating journal " + path, errno);
  }
  close(fd);
  return Status::Ok();
}

Result<SqliteDb> OpenReader(const std::string& path) {
  ALLOT_RETURN_IF_ERROR(CheckExists(path));
  ALLOT_ASSIGN_OR_RETURN(
      SqliteDb db,
      SqliteDb::Open(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, kReaderBusyTimeoutMs));
  ALLOT_RETURN_IF_ERROR(CheckJournalSchema(db, SchemaMode::kMustExist));
  return db;
}

// "2026-11-21T10:31:02Z"
std::string UtcNow() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// "pid 4242 on node17 since 2026-11-21T10:31:02Z"
std::string WriterDescription() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return "pid " + std::to_string(getpid()) + " on " + host + " since " + UtcNow();
}

// Steps a statement that returns no rows and resets it; SQLITE_DONE or the failing code.
int StepOnce(sqlite3_stmt* stmt) {
  int rc = sqlite3_step(stmt);
  sqlite3_reset(stmt);
  return rc;
}

}  // namespace

Result<std::unique_ptr<SqliteJournal>> SqliteJournal::Open(const std::string& path,
                                                           const SqliteJournalOptions& options) {
  if (options.create_new && options.must_exist) {
    return Status::InvalidArgument(path + ": create_new and must_exist exclude each other");
  }
  bool created = false;
  if (options.create_new) {
    ALLOT_RETURN_IF_ERROR(CreateExclusive(path));
    created = true;
  } else if (options.must_exist) {
    ALLOT_RETURN_IF_ERROR(CheckExists(path));
  }
  const bool is_new = created || access(path.c_str(), F_OK) != 0;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (!options.must_exist) flags |= SQLITE_OPEN_CREATE;
  auto open = [&]() -> Result<std::unique_ptr<SqliteJournal>> {
    JournalSurroundings before;
    if (is_new) {
      // A record left by a journal that was here before says nothing about this one.
      ALLOT_RETURN_IF_ERROR(CommitRecord::Remove(CommitRecord::PathFor(path)));
    } else {
      ALLOT_ASSIGN_OR_RETURN(before, InspectSurroundings(path));
    }
    ALLOT_ASSIGN_OR_RETURN(
        SqliteDb db,
        SqliteDb::Open(path, flags, SqliteBusyWait{options.busy_timeout_ms, options.on_busy_wait}));
    ALLOT_RETURN_IF_ERROR(CheckJournalSchema(
        db, options.must_exist ? SchemaMode::kMustExist : SchemaMode::kCreateIfEmpty));
    ALLOT_ASSIGN_OR_RETURN(std::string mode, db.QueryText("PRAGMA journal_mode=WAL"));
    if (mode != "wal") {
      return Status::IoError(path + ": cannot use write-ahead logging (journal mode " + mode +
                             "); is the file on a filesystem without shared memory?");
    }
    ALLOT_RETURN_IF_ERROR(db.Exec(options.durability == JournalDurability::kFull
                                      ? "PRAGMA synchronous=FULL"
                                      : "PRAGMA synchronous=NORMAL",
                                  "setting durability"));
    std::unique_ptr<SqliteJournal> journal(new SqliteJournal(std::move(db), false));
    ALLOT_RETURN_IF_ERROR(journal->PrepareWriter());
    ALLOT_ASSIGN_OR_RETURN(JournalHolds holds, ReadHolds(journal->db_));
    journal->journal_id_ = holds.journal_id;
    std::string loss = DescribeJournalLoss(path, before, holds);
    if (!loss.empty()) {
      if (!options.accept_loss) {
        return Status::Corruption(
            options.accept_loss_hint.empty() ? loss : loss + "; " + options.accept_loss_hint);
      }
      journal->loss_ = std::move(loss);
      journal->loss_to_note_ = true;
    }
    journal->record_ = std::make_unique<CommitRecord>(CommitRecord::PathFor(path));
    return journal;
  };
  Result<std::unique_ptr<SqliteJournal>> journal = open();
  if (!journal.ok() && created) unlink(path.c_str());
  return journal;
}

Result<std::unique_ptr<SqliteJournal>> SqliteJournal::OpenReadOnly(const std::string& path) {
  ALLOT_ASSIGN_OR_RETURN(JournalSurroundings before, InspectSurroundings(path));
  ALLOT_ASSIGN_OR_RETURN(SqliteDb db, OpenReader(path));
  ALLOT_ASSIGN_OR_RETURN(JournalHolds holds, ReadHolds(db));
  std::string loss = DescribeJournalLoss(path, before, holds);
  if (!loss.empty()) {
    // The record may have been read in the middle of a writer's rewrite: look once more.
    ALLOT_ASSIGN_OR_RETURN(before.record, CommitRecord::Read(CommitRecord::PathFor(path)));
    ALLOT_ASSIGN_OR_RETURN(holds, ReadHolds(db));
    loss = DescribeJournalLoss(path, before, holds);
  }
  std::unique_ptr<SqliteJournal> journal(new SqliteJournal(std::move(db), true));
  journal->loss_ = std::move(loss);
  return journal;
}

SqliteJournal::~SqliteJournal() {
  if (marked_open_ && !batch_open_) {
    // A clean close removes the "not closed cleanly" mark. When that fails (a full disk, a
    // lock held elsewhere) the mark stays, which is only a question at the next open when the
    // -wal is missing then too.
    db_.SetBusyTimeout(kCloseBusyTimeoutMs);
    (void)db_.Exec("DELETE FROM journal_info WHERE key = 'writer'", "closing the journal");
  }
  // Statements must be finalized before the connection closes (db_ is destroyed last).
  begin_.reset();
  commit_.reset();
  rollback_.reset();
  insert_task_.reset();
  insert_event_.reset();
  insert_metric_.reset();
  insert_decision_.reset();
  put_meta_.reset();
}

Status SqliteJournal::PrepareWriter() {
  ALLOT_RETURN_IF_ERROR(db_.Exec("PRAGMA cache_size=-16384", "setting the cache size"));
  ALLOT_ASSIGN_OR_RETURN(begin_, db_.Prepare("BEGIN IMMEDIATE"));
  ALLOT_ASSIGN_OR_RETURN(commit_, db_.Prepare("COMMIT"));
  ALLOT_ASSIGN_OR_RETURN(rollback_, db_.Prepare("ROLLBACK"));
  ALLOT_ASSIGN_OR_RETURN(insert_task_, db_.Prepare(kInsertTaskSql));
  ALLOT_ASSIGN_OR_RETURN(insert_event_, db_.Prepare(kInsertEventSql));
  ALLOT_ASSIGN_OR_RETURN(insert_metric_, db_.Prepare(kInsertMetricSql));
  ALLOT_ASSIGN_OR_RETURN(insert_decision_, db_.Prepare(kInsertDecisionSql));
  ALLOT_ASSIGN_OR_RETURN(put_meta_,
                         db_.Prepare("INSERT INTO meta(key, value) VALUES(?1, ?2)"
                                     " ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
  ALLOT_ASSIGN_OR_RETURN(committed_tasks_, db_.QueryInt("SELECT MAX(idx) + 1 FROM tasks"));
  ALLOT_ASSIGN_OR_RETURN(int64_t max_seq, db_.QueryInt("SELECT MAX(seq) FROM events"));
  next_task_ = committed_tasks_;
  committed_seq_ = next_seq_ = max_seq + 1;
  return Status::Ok();
}

Status SqliteJournal::CheckWritable() const {
  if (read_only_) return Status::FailedPrecondition(path() + ": journal was opened read-only");
  return Status::Ok();
}

Status SqliteJournal::BeginIfNeeded() {
  if (batch_open_) return Status::Ok();
  int rc = StepOnce(begin_.get());
  if (rc != SQLITE_DONE) return DiscardBatch(db_.Error(rc, "beginning a batch"));
  batch_open_ = true;
  if (!marked_open_) {
    Status s = MarkOpenInBatch();
    if (!s.ok()) return DiscardBatch(s);
  }
  return Status::Ok();
}

Status SqliteJournal::PutInfo(const std::string& key, const std::string& value) {
  ALLOT_ASSIGN_OR_RETURN(SqliteStatement stmt,
                         db_.Prepare("INSERT INTO journal_info(key, value) VALUES(?1, ?2)"
                                     " ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
  sqlite3_bind_text(stmt.get(), 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
  sqlite3_bind_text(stmt.get(), 2, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
  int rc = sqlite3_step(stmt.get());
  return rc == SQLITE_DONE ? Status::Ok() : db_.Error(rc, "setting journal_info " + key);
}

Status SqliteJournal::MarkOpenInBatch() {
  ALLOT_RETURN_IF_ERROR(db_.Exec(kCreateJournalInfoSql, "creating journal_info"));
  if (journal_id_.empty()) {
    ALLOT_ASSIGN_OR_RETURN(new_journal_id_, db_.QueryText("SELECT lower(hex(randomblob(8)))"));
    ALLOT_RETURN_IF_ERROR(PutInfo("journal_id", new_journal_id_));
  }
  ALLOT_RETURN_IF_ERROR(PutInfo("writer", WriterDescription()));
  if (loss_to_note_) ALLOT_RETURN_IF_ERROR(PutInfo("loss_accepted", UtcNow() + ": " + loss_));
  marking_batch_ = true;
  return Status::Ok();
}

void SqliteJournal::AfterCommit() {
  if (marking_batch_) {
    marking_batch_ = false;
    marked_open_ = true;
    loss_to_note_ = false;
    if (!new_journal_id_.empty()) journal_id_ = std::exchange(new_journal_id_, "");
    // Into the main file, so that a copy of it made without the -wal still carries the mark.
    // PASSIVE: never waits; with a reader in the way the mark reaches the file later.
    sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }
  // The commit stands whatever happens here: a record that falls behind only weakens the check.
  (void)record_->Write({journal_id_, committed_tasks_, committed_seq_ - 1});
}

Status SqliteJournal::DiscardBatch(const Status& cause) {
  // SQLite may already have rolled back on FULL/IOERR/BUSY; roll back whatever is left.
  if (db_.InTransaction()) StepOnce(rollback_.get());
  batch_open_ = false;
  marking_batch_ = false;
  new_journal_id_.clear();
  next_task_ = committed_tasks_;
  next_seq_ = committed_seq_;
  return Status(cause.code(), cause.message() + "; the uncommitted batch was discarded");
}

Status SqliteJournal::AppendSubmissions(std::span<const Submission> submissions) {
  ALLOT_RETURN_IF_ERROR(CheckWritable());
  for (size_t i = 0; i < submissions.size(); ++i) {
    if (submissions[i].index != next_task_ + static_cast<int64_t>(i)) {
      return DiscardBatch(Status::FailedPrecondition(
          path() + ": submission index " + std::to_string(submissions[i].index) +
          " breaks the dense sequence (expected " + std::to_string(next_task_ + i) + ")"));
    }
  }
  ALLOT_RETURN_IF_ERROR(BeginIfNeeded());
  sqlite3_stmt* stmt = insert_task_.get();
  for (const Submission& s : submissions) {
    BindSubmission(stmt, s, spec_json_);
    int rc = StepOnce(stmt);
    if (rc == SQLITE_CONSTRAINT_UNIQUE) {
      return DiscardBatch(Status::AlreadyExists(path() + ": task id \"" + s.spec.id +
                                                "\" is already in the journal"));
    }
    if (rc != SQLITE_DONE) return DiscardBatch(db_.Error(rc, "appending a submission"));
  }
  next_task_ += static_cast<int64_t>(submissions.size());
  return Status::Ok();
}

Status SqliteJournal::AppendEvents(std::span<const TaskEvent> events) {
  ALLOT_RETURN_IF_ERROR(CheckWritable());
  for (const TaskEvent& e : events) {
    if (e.task >= next_task_) {
      return DiscardBatch(Status::InvalidArgument(
          path() + ": event for task " + std::to_string(e.task) + " but only " +
          std::to_string(next_task_) + " tasks were submitted"));
    }
  }
  ALLOT_RETURN_IF_ERROR(BeginIfNeeded());
  sqlite3_stmt* stmt = insert_event_.get();
  for (const TaskEvent& e : events) {
    BindEvent(stmt, next_seq_, e, cores_, gpus_);
    int rc = StepOnce(stmt);
    if (rc != SQLITE_DONE) return DiscardBatch(db_.Error(rc, "appending an event"));
    ++next_seq_;
  }
  return Status::Ok();
}

Status SqliteJournal::AppendMetrics(std::span<const MetricPoint> metrics) {
  ALLOT_RETURN_IF_ERROR(CheckWritable());
  for (const MetricPoint& m : metrics) {
    if (m.task >= next_task_) {
      return DiscardBatch(Status::InvalidArgument(
          path() + ": metric for task " + std::to_string(m.task) + " but only " +
          std::to_string(next_task_) + " tasks were submitted"));
    }
  }
  if (metrics.empty()) return Status::Ok();
  ALLOT_RETURN_IF_ERROR(BeginIfNeeded());
  sqlite3_stmt* stmt = insert_metric_.get();
  for (const MetricPoint& m : metrics) {
    BindMetric(stmt, m);
    int rc = StepOnce(stmt);
    if (rc != SQLITE_DONE) return DiscardBatch(db_.Error(rc, "appending a metric"));
  }
  return Status::Ok();
}

Status SqliteJournal::AppendScenarioDecisions(std::span<const ScenarioDecision> decisions) {
  ALLOT_RETURN_IF_ERROR(CheckWritable());
  for (const ScenarioDecision& d : decisions) {
    if (d.task >= next_task_) {
      return DiscardBatch(Status::InvalidArgument(
          path() + ": scenario decision for task " + std::to_string(d.task) + " but only " +
          std::to_string(next_task_) + " tasks were submitted"));
    }
  }
  if (decisions.empty()) return Status::Ok();
  ALLOT_RETURN_IF_ERROR(BeginIfNeeded());
  sqlite3_stmt* stmt = insert_decision_.get();
  for (const ScenarioDecision& d : decisions) {
    BindDecision(stmt, d);
    int rc = StepOnce(stmt);
    if (rc != SQLITE_DONE) return DiscardBatch(db_.Error(rc, "appending a scenario decision"));
  }
  return Status::Ok();
}

Result<std::vector<MetricPoint>> SqliteJournal::LoadMetrics() {
  std::optional<SqliteDb> reader;
  if (batch_open_) {
    ALLOT_ASSIGN_OR_RETURN(SqliteDb opened, OpenReader(path()));
    reader.emplace(std::move(opened));
  }
  ALLOT_ASSIGN_OR_RETURN(std::vector<MetricRow> rows,
                         ReadMetricRows(reader ? *reader : db_, 0, INT64_MAX));
  std::vector<MetricPoint> points;
  points.reserve(rows.size());
  for (MetricRow& r : rows) points.push_back(std::move(r.point));
  return points;
}

Status SqliteJournal::PutMeta(const std::string& key, const std::string& value) {
  ALLOT_RETURN_IF_ERROR(CheckWritable());
  ALLOT_RETURN_IF_ERROR(BeginIfNeeded());
  sqlite3_stmt* stmt = put_meta_.get();
  sqlite3_bind_text(stmt, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
  sqlite3_bind_text(stmt, 2, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
  int rc = StepOnce(stmt);
  if (rc != SQLITE_DONE) return DiscardBatch(db_.Error(rc, "setting meta " + key));
  return Status::Ok();
}

Status SqliteJournal::Commit() {
  ALLOT_RETURN_IF_ERROR(CheckWritable());
  if (!batch_open_) return Status::Ok();
  int rc = StepOnce(commit_.get());
  if (rc != SQLITE_DONE) return DiscardBatch(db_.Error(rc, "committing"));
  batch_open_ = false;
  committed_tasks_ = next_task_;
  committed_seq_ = next_seq_;
  AfterCommit();
  return Status::Ok();
}

Result<std::vector<std::string>> SqliteJournal::CheckIntegrity() {
  ALLOT_ASSIGN_OR_RETURN(SqliteStatement stmt, db_.Prepare("PRAGMA integrity_check"));
  std::vector<std::string> problems;
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(stmt.get(), 0);
    std::string line = text != nullptr ? reinterpret_cast<const char*>(text) : "";
    if (line != "ok") problems.push_back(std::move(line));
  }
  if (rc != SQLITE_DONE) {
    // A page too damaged to walk stops the check itself; what it found so far still counts.
    Status stopped = db_.Error(rc, "checking integrity");
    if (problems.empty()) return stopped;
    problems.push_back(stopped.message());
  }
  return problems;
}

Result<JournalContents> SqliteJournal::Load() {
  if (!batch_open_) return LoadJournal(db_);
  ALLOT_ASSIGN_OR_RETURN(SqliteDb reader, OpenReader(path()));
  return LoadJournal(reader);
}

Result<std::optional<std::string>> SqliteJournal::GetMeta(const std::string& key) {
  std::optional<SqliteDb> reader;
  if (batch_open_) {  // the open batch is not committed: read with a connection of its own
    ALLOT_ASSIGN_OR_RETURN(SqliteDb opened, OpenReader(path()));
    reader.emplace(std::move(opened));
  }
  SqliteDb& db = reader ? *reader : db_;
  ALLOT_ASSIGN_OR_RETURN(SqliteStatement stmt,
                         db.Prepare("SELECT value FROM meta WHERE key = ?1"));
  sqlite3_bind_text(stmt.get(), 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
  const int rc = sqlite3_step(stmt.get());
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return db.Error(rc, "reading the journal's metadata");
  const unsigned char* text = sqlite3_column_text(stmt.get(), 0);
  return std::optional<std::string>(text != nullptr ? reinterpret_cast<const char*>(text) : "");
}

Status SqliteJournal::LoadForRecovery(RecoveryConsumer* consumer) {
  const std::string file = path();
  JournalReaderFactory open_reader = [file] { return OpenReader(file); };
  LoadLeftovers leftovers;
  Status s;
  if (!batch_open_) {
    s = LoadJournalForRecovery(db_, open_reader, consumer, &leftovers);
  } else {
    Result<SqliteDb> reader = OpenReader(file);
    s = reader.ok() ? LoadJournalForRecovery(*reader, open_reader, consumer, &leftovers)
                    : reader.status();
  }
  // Freeing a million tasks and their events takes a good part of a second: not on the way
  // to the first decision.
  if (freeing_.joinable()) freeing_.join();
  freeing_ = std::jthread([leftovers = std::move(leftovers)]() mutable { leftovers = {}; });
  return s;
}

}  // namespace allot
