// SqliteDb: one owned SQLite connection, plus the one mapping of SQLite result codes to Status
// used by the journal layer. Move-only; not thread-safe (one owner, like the journal itself).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace allot {

struct SqliteStatementDeleter {
  void operator()(sqlite3_stmt* stmt) const;
};
// A prepared statement, finalized when dropped. REQUIRES: dropped before its SqliteDb.
using SqliteStatement = std::unique_ptr<sqlite3_stmt, SqliteStatementDeleter>;

// Maps an SQLite result code to a Status naming `path` and `what` was being done:
// BUSY/LOCKED -> Unavailable; FULL, IOERR, CANTOPEN, READONLY, PERM, NOMEM -> IoError;
// NOTADB -> InvalidArgument ("not an Allot journal"); CORRUPT -> Corruption ("damaged");
// CONSTRAINT -> InvalidArgument; anything else -> Internal.
Status SqliteStatus(int rc, sqlite3* db, std::string_view path, std::string_view what);

// How a connection waits for a lock that another connection (another process: the sqlite3
// shell, a backup, a second reader recovering the log) holds: retrying with backoff (1 ms
// doubling to 100 ms) for up to `timeout_ms`, then the operation fails with Unavailable.
struct SqliteBusyWait {
  int timeout_ms = 0;  // 0: fail at once
  // Called from inside the waiting operation, on its thread: once after about a second of
  // waiting, then every ten seconds, with a line naming the file. May be empty.
  std::function<void(const std::string&)> on_wait;
};

class SqliteDb {
 public:
  // Opens `path` with sqlite3_open_v2 `flags`; locks held by others are waited for per `busy`.
  static Result<SqliteDb> Open(const std::string& path, int flags, SqliteBusyWait busy);
  static Result<SqliteDb> Open(const std::string& path, int flags, int busy_timeout_ms) {
    return Open(path, flags, SqliteBusyWait{busy_timeout_ms, nullptr});
  }

  SqliteDb(SqliteDb&& other) noexcept;
  SqliteDb& operator=(SqliteDb&& other) noexcept;
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  // Closes the connection; an open transaction is rolled back (as a crash would lose it).
  ~SqliteDb();

  sqlite3* get() const { return db_; }
  const std::string& path() const { return path_; }

  // Runs SQL statements that return no rows.
  Status Exec(const char* sql, std::string_view what);
  Result<SqliteStatement> Prepare(std::string_view sql);
  // Runs a query whose first row's first column is an integer (0 when there is no row).
  Result<int64_t> QueryInt(const char* sql);
  // Runs a query whose first row's first column is text ("" when there is no row).
  Result<std::string> QueryText(const char* sql);
  // Status for `rc` from this connection.
  Status Error(int rc, std::string_view what) const;
  // True while a transaction is open.
  bool InTransaction() const;
  // Changes how long later operations wait for a lock (e.g. briefly, while closing).
  void SetBusyTimeout(int timeout_ms);

 private:
  struct BusyState;
  static int OnBusy(void* state, int count);
  SqliteDb(sqlite3* db, std::string path);
  sqlite3* db_ = nullptr;
  std::string path_;
  // Heap-allocated: SQLite holds its address while this object moves.
  std::unique_ptr<BusyState> busy_;
};

}  // namespace allot
