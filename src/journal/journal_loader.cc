#include "journal/journal_loader.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <thread>

#include "journal/event_chunks.h"
#include "journal/journal_rows.h"
#include "journal/journal_schema.h"
#include "journal/metric_rows.h"
#include "journal/spec_decoder.h"
#include "model/task_state.h"

namespace allot {
namespace {

// Row counts are only capacity hints; a damaged file must not make us allocate wildly.
constexpr int64_t kMaxReserve = int64_t{1} << 24;
constexpr size_t kSpecChunkRows = 16384;

size_t Clamped(int64_t n) { return static_cast<size_t>(std::clamp<int64_t>(n, 0, kMaxReserve)); }

size_t ReserveHint(SqliteDb& db, const char* sql) {
  Result<int64_t> n = db.QueryInt(sql);
  return n.ok() ? Clamped(*n) : 0;
}

Status CheckDense(const SqliteDb& db, const Submission& s, size_t position) {
  if (s.index == position) return Status::Ok();
  return Status::Corruption(db.path() + ": task indices are not dense: " +
                            std::to_string(s.index) + " follows " + std::to_string(position) +
                            " tasks");
}

// Chunks of spec JSON for a SpecDecoder, each with the Submission it decodes into.
class SpecChunks {
 public:
  explicit SpecChunks(SpecDecoder* decoder) : decoder_(decoder) {}
  // Adds the spec JSON in column `col` of `stmt`'s row, to be decoded into `target`.
  void Add(sqlite3_stmt* stmt, int col, Submission* target) {
    ReadSpecJson(stmt, col, &specs_.emplace_back());
    targets_.push_back(target);
    if (specs_.size() == kSpecChunkRows) Flush();
  }
  void Flush() {
    decoder_->Start(std::move(specs_), std::move(targets_));
    specs_.clear();
    targets_.clear();
  }
  // Before `out` grows (which moves the rows the decoder writes): hands on what is gathered
  // and waits for every decoding.
  Status FlushAndWait() {
    Flush();
    return decoder_->Wait();
  }

 private:
  SpecDecoder* decoder_;
  std::vector<std::string> specs_;
  std::vector<Submission*> targets_;
};

// Reads the tasks rows; their specs are decoded by `decoder`, in the background, into
// `out`, whose elements must not move until decoder->Wait().
Status LoadSubmissions(SqliteDb& db, SpecDecoder* decoder, std::vector<Submission>* out) {
  out->reserve(ReserveHint(db, "SELECT MAX(idx) + 1 FROM tasks"));
  ALLOT_ASSIGN_OR_RETURN(SqliteStatement stmt, db.Prepare(kSelectTasksSql));
  SpecChunks chunks(decoder);
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    if (out->size() == out->capacity()) {
      ALLOT_RETURN_IF_ERROR(chunks.FlushAndWait().WithPrefix(db.path()));
    }
    Submission& s = out->emplace_back();
    ALLOT_RETURN_IF_ERROR(ReadSubmission(stmt.get(), &s).WithPrefix(db.path()));
    ALLOT_RETURN_IF_ERROR(CheckDense(db, s, out->size() - 1));
    chunks.Add(stmt.get(), 3, &s);
  }
  if (rc != SQLITE_DONE) return db.Error(rc, "reading tasks");
  chunks.Flush();
  return Status::Ok();
}

// Reads the tasks rows in one pass: a task `finished` says ended comes brief (when its row has
// the brief columns), every other one's spec is decoded by `decoder` into `out`, whose
// elements must not move until decoder->Wait().
Status LoadTasksForRecovery(SqliteDb& db, SpecDecoder* decoder, const std::vector<bool>& finished,
                            std::vector<Submission>* out) {
  out->reserve(finished.size());
  ALLOT_ASSIGN_OR_RETURN(SqliteStatement stmt, db.Prepare(kSelectTaskBriefsSql));
  SpecChunks chunks(decoder);
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    if (out->size() == out->capacity()) {
      ALLOT_RETURN_IF_ERROR(chunks.FlushAndWait().WithPrefix(db.path()));
    }
    Submission& s = out->emplace_back();
    Result<bool> has_brief = ReadTaskBrief(stmt.get(), &s);
    if (!has_brief.ok()) return has_brief.status().WithPrefix(db.path());
    ALLOT_RETURN_IF_ERROR(CheckDense(db, s, out->size() - 1));
    s.brief = *has_brief && s.index < finished.size() && finished[s.index];
    if (!s.brief) chunks.Add(stmt.get(), 8, &s);
  }
  if (rc != SQLITE_DONE) return db.Error(rc, "reading tasks");
  chunks.Flush();
  return Status::Ok();
}

// Load reads every page of the tasks and events tables, not the index of task ids (used by
// inserts and lookups by id). Counting its entries reads each of its pages: a damaged page
// fails here, at open, instead of at some later submission, and a count that differs from
// the table's says the index is out of step. ~0.03 s for a million tasks, against ~2 s for
// `PRAGMA quick_check` and ~2.5 s for `integrity_check` (docs/PERFORMANCE.md): those are left
// to `allot journal check`.
Status CheckIdIndex(SqliteDb& db, size_t task_count) {
  Result<SqliteStatement> stmt =
      db.Prepare("SELECT COUNT(*) FROM tasks INDEXED BY sqlite_autoindex_tasks_1");
  if (!stmt.ok()) {
    return Status::Corruption(db.path() + ": the journal file is damaged: its index of task ids "
                              "is missing (" + stmt.status().message() + ")");
  }
  int rc = sqlite3_step(stmt->get());
  if (rc != SQLITE_ROW) return db.Error(rc, "reading the index of task ids");
  const int64_t entries = sqlite3_column_int64(stmt->get(), 0);
  if (static_cast<size_t>(entries) != task_count) {
    return Status::Corruption(db.path() + ": the journal file is damaged: its index of task ids "
                              "has " + std::to_string(entries) + " entries for " +
                              std::to_string(task_count) + " tasks");
  }
  return Status::Ok();
}

// The seqs of the events a load reads: [first, last] of its read transaction.
struct SeqRange {
  int64_t first = 1;
  int64_t last = 0;
};

// Reads the events of `seqs` in order, each into the TaskEvent `next` returns (a fresh one),
// calling `after` with it once it is read. For the one pass that both loads share.
template <typename Next, typename After>
Status ReadEvents(SqliteDb& db, SeqRange seqs, Next next, After after) {
  ALLOT_ASSIGN_OR_RETURN(std::string sql, SelectEventsFor(db, kSelectEventsSql));
  ALLOT_ASSIGN_OR_RETURN(SqliteStatement stmt, db.Prepare(sql));
  sqlite3_bind_int64(stmt.get(), 1, seqs.first);
  sqlite3_bind_int64(stmt.get(), 2, seqs.last);
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    ALLOT_RETURN_IF_ERROR(ReadEvent(stmt.get(), next()).WithPrefix(db.path()));
    after();
  }
  return rc == SQLITE_DONE ? Status::Ok() : db.Error(rc, "reading events");
}

Status LoadEvents(SqliteDb& db, SeqRange seqs, std::vector<TaskEvent>* out) {
  if (seqs.last >= seqs.first) out->reserve(Clamped(seqs.last - seqs.first + 1));
  return ReadEvents(db, seqs, [out] { return &out->emplace_back(); }, [] {});
}

Status CheckEventTasks(const SqliteDb& db, size_t task_count,
                       const std::vector<TaskEvent>& events) {
  for (const TaskEvent& e : events) {
    if (e.task >= task_count) {
      return Status::Corruption(db.path() + ": an event names task " + std::to_string(e.task) +
                                " of " + std::to_string(task_count));
    }
  }
  return Status::Ok();
}

Status LoadMeta(SqliteDb& db, std::vector<std::pair<std::string, std::string>>* out) {
  ALLOT_ASSIGN_OR_RETURN(SqliteStatement stmt,
                         db.Prepare("SELECT key, value FROM meta ORDER BY key"));
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    const auto* key = reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), 0));
    const auto* value = reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), 1));
    out->emplace_back(key != nullptr ? key : "", value != nullptr ? value : "");
  }
  return rc == SQLITE_DONE ? Status::Ok() : db.Error(rc, "reading meta");
}

// Every spec, decoded on other threads while this one reads the events.
Status LoadEverything(SqliteDb& db, SeqRange seqs, JournalContents* contents) {
  SpecDecoder decoder;
  Status s = LoadSubmissions(db, &decoder, &contents->submissions);
  if (s.ok()) s = CheckIdIndex(db, contents->submissions.size());
  if (s.ok()) s = LoadEvents(db, seqs, &contents->events);
  if (s.ok()) s = LoadMeta(db, &contents->meta);
  if (s.ok()) {
    Result<std::vector<MetricRow>> metrics = ReadMetricRows(db, 0, INT64_MAX);
    if (metrics.ok()) {
      contents->metrics.reserve(metrics->size());
      for (MetricRow& r : *metrics) contents->metrics.push_back(std::move(r.point));
    } else {
      s = metrics.status();
    }
  }
  if (s.ok()) {
    Result<std::vector<DecisionRow>> decisions = ReadDecisionRows(db, 0, INT64_MAX);
    if (decisions.ok()) {
      for (DecisionRow& r : *decisions) {
        contents->scenario_decisions.push_back(std::move(r.decision));
      }
    } else {
      s = decisions.status();
    }
  }
  Status decoded = decoder.Wait().WithPrefix(db.path());
  return s.ok() ? decoded : s;
}

// The finished flags of the tasks of `db`'s snapshot, from the events in `seqs`.
Status ReadFinished(SqliteDb& db, SeqRange seqs, std::vector<bool>* finished) {
  ALLOT_ASSIGN_OR_RETURN(int64_t tasks, db.QueryInt("SELECT COALESCE(MAX(idx) + 1, 0) FROM tasks"));
  finished->assign(Clamped(tasks), false);
  ALLOT_ASSIGN_OR_RETURN(SqliteStatement stmt, db.Prepare(kSelectEventEndsSql));
  sqlite3_bind_int64(stmt.get(), 1, seqs.first);
  sqlite3_bind_int64(stmt.get(), 2, seqs.last);
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    const int64_t task = sqlite3_column_int64(stmt.get(), 0);
    const int64_t to = sqlite3_column_int64(stmt.get(), 1);
    if (task < 0 || static_cast<size_t>(task) >= finished->size() || to < 0 ||
        to >= kTaskStateCount) {
      return Status::Corruption(db.path() + ": an event names task " + std::to_string(task) +
                                " of " + std::to_string(finished->size()) + " or state " +
                                std::to_string(to));
    }
    (*finished)[static_cast<size_t>(task)] = IsTerminal(static_cast<TaskState>(to));
  }
  return rc == SQLITE_DONE ? Status::Ok() : db.Error(rc, "reading events");
}

// The events of `seqs`, chunk by chunk, into `out`, in a read transaction of its own on `db`
// (a second connection); closes `out` with how it ended.
void ReadEventChunks(SqliteDb& db, SeqRange seqs, EventChunks* out) {
  std::vector<TaskEvent> chunk;
  auto read = [&]() -> Status {
    chunk.reserve(EventChunks::kChunkEvents);
    ALLOT_RETURN_IF_ERROR(ReadEvents(
        db, seqs, [&chunk] { return &chunk.emplace_back(); },
        [&chunk, out] {
          if (chunk.size() < EventChunks::kChunkEvents) return;
          out->Push(std::move(chunk));
          chunk = {};
          chunk.reserve(EventChunks::kChunkEvents);
        }));
    if (!chunk.empty()) out->Push(std::move(chunk));
    return Status::Ok();
  };
  Status s = db.Exec("BEGIN", "loading the journal's events");
  if (s.ok()) {
    s = read();
    Status end = db.Exec("COMMIT", "loading the journal's events");
    if (s.ok()) s = end;
  }
  out->Close(std::move(s));
}

// LoadJournalForRecovery in `db`'s read transaction, the events read on `events_db` by another
// thread meanwhile and replayed as they come once the tasks are handed on.
Status ConsumeForRecovery(SqliteDb& db, SqliteDb& events_db, SeqRange seqs,
                          RecoveryConsumer* consumer, LoadLeftovers* leftovers) {
  EventChunks chunks;
  std::jthread reader([&events_db, seqs, &chunks] { ReadEventChunks(events_db, seqs, &chunks); });
  std::vector<Submission>& subs = *leftovers->submissions;
  // Which tasks finished first: a pass over two columns of the events, much lighter than
  // reading them whole, so that one pass over the tasks can leave the finished ones brief.
  std::vector<bool> finished;
  ALLOT_RETURN_IF_ERROR(ReadFinished(db, seqs, &finished));
  {
    // Reading the rows is light next to decoding them: every hardware thread decodes.
    SpecDecoder decoder(std::max(1u, std::thread::hardware_concurrency()));
    Status s = LoadTasksForRecovery(db, &decoder, finished, &subs);
    Status decoded = decoder.Wait().WithPrefix(db.path());
    ALLOT_RETURN_IF_ERROR(s);
    ALLOT_RETURN_IF_ERROR(decoded);
  }
  ALLOT_RETURN_IF_ERROR(CheckIdIndex(db, subs.size()));
  finished.resize(subs.size(), false);
  ALLOT_RETURN_IF_ERROR(consumer->OnTaskBlock(leftovers->submissions, finished));
  while (std::optional<std::vector<TaskEvent>> chunk = chunks.Pop()) {
    ALLOT_RETURN_IF_ERROR(CheckEventTasks(db, subs.size(), *chunk));
    ALLOT_RETURN_IF_ERROR(consumer->OnEvents(*chunk));
    leftovers->event_chunks.push_back(std::move(*chunk));
  }
  return chunks.status();
}

// Reads `db`'s seq range in its open read transaction: its first read fixes the committed
// state; the events are those of its seq range (the journal only appends, so a second
// connection that begins later reads the same ones).
Result<SeqRange> ReadSeqRange(SqliteDb& db) {
  ALLOT_ASSIGN_OR_RETURN(int64_t first, db.QueryInt("SELECT COALESCE(MIN(seq), 1) FROM events"));
  ALLOT_ASSIGN_OR_RETURN(int64_t last, db.QueryInt("SELECT COALESCE(MAX(seq), 0) FROM events"));
  return SeqRange{first, last};
}

}  // namespace

Result<JournalContents> LoadJournal(SqliteDb& db) {
  // One read transaction: the three tables come from the same committed state.
  ALLOT_RETURN_IF_ERROR(db.Exec("BEGIN", "loading the journal"));
  JournalContents contents;
  Result<SeqRange> seqs = ReadSeqRange(db);
  Status s = seqs.status();
  if (s.ok()) s = LoadEverything(db, *seqs, &contents);
  if (s.ok()) s = CheckEventTasks(db, contents.submissions.size(), contents.events);
  Status end = db.Exec("COMMIT", "loading the journal");
  if (!s.ok()) return s;
  if (!end.ok()) return end;
  return contents;
}

Status LoadJournalForRecovery(SqliteDb& db, const JournalReaderFactory& open_reader,
                              RecoveryConsumer* consumer, LoadLeftovers* leftovers) {
  ALLOT_ASSIGN_OR_RETURN(bool briefs, HasTaskBriefColumns(db));
  if (!briefs) {  // a version 2 journal opened read-only
    ALLOT_ASSIGN_OR_RETURN(JournalContents contents, LoadJournal(db));
    return FeedRecovery(contents, consumer);
  }
  ALLOT_ASSIGN_OR_RETURN(SqliteDb events_db, open_reader());
  ALLOT_RETURN_IF_ERROR(db.Exec("BEGIN", "loading the journal"));
  Status s;
  {
    Result<SeqRange> seqs = ReadSeqRange(db);
    s = seqs.ok() ? ConsumeForRecovery(db, events_db, *seqs, consumer, leftovers)
                  : seqs.status();
  }
  Status end = db.Exec("COMMIT", "loading the journal");
  return s.ok() ? end : s;
}

}  // namespace allot
