#include "journal/sqlite_db.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <utility>

namespace allot {

void SqliteStatementDeleter::operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }

Status SqliteStatus(int rc, sqlite3* db, std::string_view path, std::string_view what) {
  std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string message = std::string(path) + ": " + std::string(what) + ": " + detail;
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(message + " (another process holds the journal)");
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_NOMEM:
      return Status::IoError(message);
    case SQLITE_NOTADB:
      return Status::InvalidArgument(std::string(path) +
                                     ": not an Allot journal (not an SQLite database)");
    case SQLITE_CORRUPT:
      return Status::Corruption(std::string(path) + ": the journal file is damaged (" +
                                std::string(what) + ": " + detail + ")");
    case SQLITE_CONSTRAINT:
      return Status::InvalidArgument(message);
    default:
      return Status::Internal(message);
  }
}

struct SqliteDb::BusyState {
  std::string path;
  SqliteBusyWait wait;
  std::chrono::steady_clock::time_point since;
  std::chrono::steady_clock::time_point next_report;
};

namespace {

std::string Seconds(std::chrono::steady_clock::duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()) + " s";
}

}  // namespace

int SqliteDb::OnBusy(void* state, int count) {
  using namespace std::chrono;
  auto* b = static_cast<BusyState*>(state);
  const auto now = steady_clock::now();
  if (count == 0) {  // a new wait for a lock
    b->since = now;
    b->next_report = now + seconds(1);
  }
  const auto limit = milliseconds(b->wait.timeout_ms);
  const auto waited = now - b->since;
  if (waited >= limit) return 0;  // give up: the operation fails with SQLITE_BUSY
  if (b->wait.on_wait && now >= b->next_report) {
    b->wait.on_wait(b->path + " is locked by another process; waiting for it (" +
                    Seconds(waited) + " of up to " + Seconds(limit) + ")");
    b->next_report = now + seconds(10);
  }
  // 1, 2, 4, ... ms, at most 100 ms: short locks cost little, long ones few wake-ups.
  steady_clock::duration delay = milliseconds(int64_t{1} << std::min(count, 7));
  delay = std::min<steady_clock::duration>(delay, milliseconds(100));
  std::this_thread::sleep_for(std::min<steady_clock::duration>(delay, limit - waited));
  return 1;
}

SqliteDb::SqliteDb(sqlite3* db, std::string path)
    : db_(db), path_(std::move(path)), busy_(std::make_unique<BusyState>()) {
  busy_->path = path_;
}

Result<SqliteDb> SqliteDb::Open(const std::string& path, int flags, SqliteBusyWait busy) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  SqliteDb db(raw, path);  // closes `raw` on every return path
  if (rc != SQLITE_OK) return SqliteStatus(rc, raw, path, "cannot open");
  sqlite3_extended_result_codes(raw, 1);
  db.busy_->wait = std::move(busy);
  sqlite3_busy_handler(raw, &SqliteDb::OnBusy, db.busy_.get());
  return db;
}

SqliteDb::SqliteDb(SqliteDb&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      path_(std::move(other.path_)),
      busy_(std::move(other.busy_)) {}

SqliteDb& SqliteDb::operator=(SqliteDb&& other) noexcept {
  if (this != &other) {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
    busy_ = std::move(other.busy_);
  }
  return *this;
}

SqliteDb::~SqliteDb() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Status SqliteDb::Exec(const char* sql, std::string_view what) {
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? Status::Ok() : Error(rc, what);
}

Result<SqliteStatement> SqliteDb::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  SqliteStatement owned(stmt);
  if (rc != SQLITE_OK) return Error(rc, "preparing \"" + std::string(sql) + "\"");
  return owned;
}

Result<int64_t> SqliteDb::QueryInt(const char* sql) {
  ALLOT_ASSIGN_OR_RETURN(SqliteStatement stmt, Prepare(sql));
  int rc = sqlite3_step(stmt.get());
  if (rc == SQLITE_ROW) return static_cast<int64_t>(sqlite3_column_int64(stmt.get(), 0));
  if (rc == SQLITE_DONE) return int64_t{0};
  return Error(rc, sql);
}

Result<std::string> SqliteDb::QueryText(const char* sql) {
  ALLOT_ASSIGN_OR_RETURN(SqliteStatement stmt, Prepare(sql));
  int rc = sqlite3_step(stmt.get());
  if (rc == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(stmt.get(), 0);
    return std::string(text != nullptr ? reinterpret_cast<const char*>(text) : "");
  }
  if (rc == SQLITE_DONE) return std::string();
  return Error(rc, sql);
}

Status SqliteDb::Error(int rc, std::string_view what) const {
  Status s = SqliteStatus(rc, db_, path_, what);
  if ((rc & 0xff) == SQLITE_BUSY && busy_ != nullptr && busy_->wait.timeout_ms > 0) {
    return Status(s.code(), s.message() + "; gave up after waiting " +
                                Seconds(std::chrono::milliseconds(busy_->wait.timeout_ms)));
  }
  return s;
}

bool SqliteDb::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

void SqliteDb::SetBusyTimeout(int timeout_ms) { busy_->wait.timeout_ms = timeout_ms; }

}  // namespace allot
