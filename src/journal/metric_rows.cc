#include "journal/metric_rows.h"

#include <sqlite3.h>

#include <string>

namespace allot {

void BindMetric(sqlite3_stmt* stmt, const MetricPoint& point) {
  sqlite3_bind_int64(stmt, 1, point.task);
  sqlite3_bind_int64(stmt, 2, point.attempt);
  sqlite3_bind_text(stmt, 3, point.name.data(), static_cast<int>(point.name.size()),
                    SQLITE_STATIC);
  if (point.step) {
    sqlite3_bind_int64(stmt, 4, *point.step);
  } else {
    sqlite3_bind_null(stmt, 4);
  }
  sqlite3_bind_double(stmt, 5, point.value);
  sqlite3_bind_int64(stmt, 6, point.time_us);
}

Result<std::vector<MetricRow>> ReadMetricRows(SqliteDb& db, int64_t after, int64_t limit,
                                              std::optional<uint32_t> task) {
  std::vector<MetricRow> rows;
  ALLOT_ASSIGN_OR_RETURN(
      int64_t tables,
      db.QueryInt("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'metrics'"));
  if (tables == 0) return rows;
  std::string sql =
      "SELECT seq, task, attempt, name, step, value, time_us FROM metrics WHERE seq > ?1";
  if (task) sql += " AND task = ?3";
  sql += " ORDER BY seq LIMIT ?2";
  ALLOT_ASSIGN_OR_RETURN(SqliteStatement stmt, db.Prepare(sql.c_str()));
  sqlite3_bind_int64(stmt.get(), 1, after);
  sqlite3_bind_int64(stmt.get(), 2, limit);
  if (task) sqlite3_bind_int64(stmt.get(), 3, *task);
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    MetricRow& row = rows.emplace_back();
    sqlite3_stmt* s = stmt.get();
    row.seq = sqlite3_column_int64(s, 0);
    const int64_t t = sqlite3_column_int64(s, 1);
    const int64_t a = sqlite3_column_int64(s, 2);
    if (t < 0 || t > UINT32_MAX || a < 0 || a > UINT32_MAX) {
      return Status::Corruption(db.path() + ": metric " + std::to_string(row.seq) +
                                " names task " + std::to_string(t) + " attempt " +
                                std::to_string(a));
    }
    row.point.task = static_cast<uint32_t>(t);
    row.point.attempt = static_cast<uint32_t>(a);
    const unsigned char* name = sqlite3_column_text(s, 3);
    row.point.name = name != nullptr ? reinterpret_cast<const char*>(name) : "";
    if (sqlite3_column_type(s, 4) != SQLITE_NULL) row.point.step = sqlite3_column_int64(s, 4);
    row.point.value = sqlite3_column_double(s, 5);
    row.point.time_us = sqlite3_column_int64(s, 6);
  }
  if (rc != SQLITE_DONE) return db.Error(rc, "reading metrics");
  return rows;
}

}  // namespace allot
