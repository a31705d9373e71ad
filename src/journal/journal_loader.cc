#include "journal/journal_loader.h"

#include <sqlite3.h>

#include <algorithm>

#include "journal/journal_rows.h"
#include "journal/spec_decoder.h"

namespace allot {
namespace {

// Row counts are only capacity hints; a damaged file must not make us allocate wildly.
constexpr int64_t kMaxReserve = int64_t{1} << 24;
constexpr size_t kSpecChunkRows = 16384;

size_t ReserveHint(SqliteDb& db, const char* sql) {
  Result<int64_t> n = db.QueryInt(sql);
  return n.ok() ? static_cast<size_t>(std::clamp<int64_t>(*n, 0, kMaxReserve)) : 0;
}

// Reads the tasks rows; their specs are decoded by `decoder`, in the background, into
// `out`, whose elements must not move until decoder->Wait().
Status LoadSubmissions(SqliteDb& db, SpecDecoder* decoder, std::vector<Submission>* out) {
  out->reserve(ReserveHint(db, "SELECT MAX(idx) + 1 FROM tasks"));
  ALLOT_ASSIGN_OR_RETURN(SqliteStatement stmt, db.Prepare(kSelectTasksSql));
  std::vector<std::string> json;
  size_t chunk_start = 0;
  auto start_chunk = [&] {
    decoder->Start(std::move(json), out->data() + chunk_start);
    json.clear();
    chunk_start = out->size();
  };
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    if (out->size() == out->capacity()) {  // growing moves the rows the decoder writes
      start_chunk();
      ALLOT_RETURN_IF_ERROR(decoder->Wait().WithPrefix(db.path()));
    }
    Submission& s = out->emplace_back();
    ALLOT_RETURN_IF_ERROR(
        ReadSubmission(stmt.get(), &s, &json.emplace_back()).WithPrefix(db.path()));
    if (s.index != out->size() - 1) {
      return Status::Corruption(db.path() +
                                ": task indices are not dense: " + std::to_string(s.index) +
                                " follows " + std::to_string(out->size() - 1) + " tasks");
    }
    if (json.size() == kSpecChunkRows) start_chunk();
  }
  if (rc != SQLITE_DONE) return db.Error(rc, "reading tasks");
  start_chunk();
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

Status LoadEvents(SqliteDb& db, size_t task_count, std::vector<TaskEvent>* out) {
  out->reserve(ReserveHint(db, "SELECT MAX(seq) FROM events"));
  ALLOT_ASSIGN_OR_RETURN(SqliteStatement stmt, db.Prepare(kSelectEventsSql));
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    TaskEvent& e = out->emplace_back();
    ALLOT_RETURN_IF_ERROR(ReadEvent(stmt.get(), &e).WithPrefix(db.path()));
    if (e.task >= task_count) {
      return Status::Corruption(db.path() + ": an event names task " + std::to_string(e.task) +
                                " of " + std::to_string(task_count));
    }
  }
  return rc == SQLITE_DONE ? Status::Ok() : db.Error(rc, "reading events");
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

}  // namespace

Result<JournalContents> LoadJournal(SqliteDb& db) {
  // One read transaction: the three tables come from the same committed state.
  ALLOT_RETURN_IF_ERROR(db.Exec("BEGIN", "loading the journal"));
  JournalContents contents;
  // Specs decode on other threads while this one reads the events.
  SpecDecoder decoder;
  Status s = LoadSubmissions(db, &decoder, &contents.submissions);
  if (s.ok()) s = CheckIdIndex(db, contents.submissions.size());
  if (s.ok()) s = LoadEvents(db, contents.submissions.size(), &contents.events);
  if (s.ok()) s = LoadMeta(db, &contents.meta);
  Status decoded = decoder.Wait().WithPrefix(db.path());
  if (s.ok()) s = decoded;
  Status end = db.Exec("COMMIT", "loading the journal");
  if (!s.ok()) return s;
  if (!end.ok()) return end;
  return contents;
}

}  // namespace allot
