#include "journal/journal_reader.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <unordered_map>

#include "journal/journal_rows.h"
#include "journal/journal_schema.h"

namespace allot {
namespace {

constexpr int kBusyTimeoutMs = 5000;
// The columns ReadEvent expects, then seq and the task id.
constexpr const char* kEventColumns =
    "SELECT e.task, e.attempt, e.from_state, e.to_state, e.time_us, e.exit_code, e.term_signal,"
    " e.timed_out, e.wall_us, e.user_us, e.sys_us, e.max_rss, e.cores, e.gpus, e.memory,"
    " e.reason, e.worker, e.by_user, e.read_bytes, e.write_bytes, e.peak_cores,"
    " e.memory_exceeded, e.checkpoint, e.outputs, e.result, e.slurm_job, e.seq, t.id"
    " FROM events e JOIN tasks t ON t.idx = e.task ";

}  // namespace

Result<std::unique_ptr<JournalReader>> JournalReader::Open(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return Status::NotFound(path + ": no journal");
  ALLOT_ASSIGN_OR_RETURN(
      SqliteDb db, SqliteDb::Open(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, kBusyTimeoutMs));
  ALLOT_RETURN_IF_ERROR(CheckJournalSchema(db, SchemaMode::kMustExist));
  return std::unique_ptr<JournalReader>(new JournalReader(std::move(db)));
}

Result<std::vector<JournalEventRow>> JournalReader::Query(const char* where, int64_t a,
                                                          int64_t b) {
  ALLOT_ASSIGN_OR_RETURN(std::string sql,
                         SelectEventsFor(db_, std::string(kEventColumns) + where));
  ALLOT_ASSIGN_OR_RETURN(SqliteStatement stmt, db_.Prepare(sql));
  sqlite3_bind_int64(stmt.get(), 1, a);
  sqlite3_bind_int64(stmt.get(), 2, b);
  std::vector<JournalEventRow> rows;
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    JournalEventRow& row = rows.emplace_back();
    ALLOT_RETURN_IF_ERROR(ReadEvent(stmt.get(), &row.event).WithPrefix(db_.path()));
    row.seq = sqlite3_column_int64(stmt.get(), 26);
    const unsigned char* id = sqlite3_column_text(stmt.get(), 27);
    row.task_id = id != nullptr ? reinterpret_cast<const char*>(id) : "";
  }
  if (rc != SQLITE_DONE) return db_.Error(rc, "reading events");
  return rows;
}

Result<std::vector<JournalEventRow>> JournalReader::EventsAfter(int64_t after, int64_t limit) {
  return Query("WHERE e.seq > ?1 ORDER BY e.seq LIMIT ?2", after, limit);
}

Result<std::vector<JournalEventRow>> JournalReader::EventsOf(TaskIndex task) {
  return Query("WHERE e.task = ?1 AND ?2 = ?2 ORDER BY e.seq", task, 0);
}

Result<TaskSpec> JournalReader::SpecOf(TaskIndex task) {
  ALLOT_ASSIGN_OR_RETURN(SqliteStatement stmt, db_.Prepare("SELECT spec FROM tasks WHERE idx = ?1"));
  sqlite3_bind_int64(stmt.get(), 1, task);
  int rc = sqlite3_step(stmt.get());
  if (rc == SQLITE_DONE) return Status::NotFound("no task with index " + std::to_string(task));
  if (rc != SQLITE_ROW) return db_.Error(rc, "reading a task");
  const unsigned char* text = sqlite3_column_text(stmt.get(), 0);
  std::string_view json = text != nullptr ? reinterpret_cast<const char*>(text) : "";
  TaskSpec spec;
  ALLOT_RETURN_IF_ERROR(DecodeSpec(json, task, &spec));
  return spec;
}

Result<std::vector<std::pair<MetricRow, std::string>>> JournalReader::MetricsAfter(
    int64_t after, int64_t limit, std::optional<TaskIndex> task) {
  ALLOT_ASSIGN_OR_RETURN(std::vector<MetricRow> rows, ReadMetricRows(db_, after, limit, task));
  std::vector<std::pair<MetricRow, std::string>> out;
  out.reserve(rows.size());
  std::unordered_map<TaskIndex, std::string> ids;
  for (MetricRow& row : rows) {
    ALLOT_ASSIGN_OR_RETURN(std::string id, IdOf(row.point.task, &ids));
    out.emplace_back(std::move(row), std::move(id));
  }
  return out;
}

Result<std::vector<std::pair<DecisionRow, std::string>>> JournalReader::DecisionsAfter(
    int64_t after, int64_t limit) {
  ALLOT_ASSIGN_OR_RETURN(std::vector<DecisionRow> rows, ReadDecisionRows(db_, after, limit));
  std::vector<std::pair<DecisionRow, std::string>> out;
  out.reserve(rows.size());
  std::unordered_map<TaskIndex, std::string> ids;
  for (DecisionRow& row : rows) {
    ALLOT_ASSIGN_OR_RETURN(std::string id, IdOf(row.decision.task, &ids));
    out.emplace_back(std::move(row), std::move(id));
  }
  return out;
}

Result<std::string> JournalReader::IdOf(TaskIndex t,
                                        std::unordered_map<TaskIndex, std::string>* ids) {
  auto [it, added] = ids->try_emplace(t);
  if (!added) return it->second;
  ALLOT_ASSIGN_OR_RETURN(SqliteStatement stmt, db_.Prepare("SELECT id FROM tasks WHERE idx = ?1"));
  sqlite3_bind_int64(stmt.get(), 1, t);
  if (sqlite3_step(stmt.get()) == SQLITE_ROW) {
    const unsigned char* id = sqlite3_column_text(stmt.get(), 0);
    it->second = id != nullptr ? reinterpret_cast<const char*>(id) : "";
  }
  return it->second;
}

Result<int64_t> JournalReader::LastSeq() {
  ALLOT_ASSIGN_OR_RETURN(int64_t seq, db_.QueryInt("SELECT COALESCE(MAX(seq), 0) FROM events"));
  return seq;
}

}  // namespace allot
