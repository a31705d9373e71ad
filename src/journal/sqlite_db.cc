#include "journal/sqlite_db.h"

#include <sqlite3.h>

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
      return Status::Corruption(message);
    case SQLITE_CONSTRAINT:
      return Status::InvalidArgument(message);
    default:
      return Status::Internal(message);
  }
}

Result<SqliteDb> SqliteDb::Open(const std::string& path, int flags, int busy_timeout_ms) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  SqliteDb db(raw, path);  // closes `raw` on every return path
  if (rc != SQLITE_OK) return SqliteStatus(rc, raw, path, "cannot open");
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  return db;
}

SqliteDb::SqliteDb(SqliteDb&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}

SqliteDb& SqliteDb::operator=(SqliteDb&& other) noexcept {
  if (this != &other) {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
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
  return SqliteStatus(rc, db_, path_, what);
}

bool SqliteDb::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

}  // namespace allot
