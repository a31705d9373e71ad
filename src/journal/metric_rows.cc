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

void BindDecision(sqlite3_stmt* stmt, const ScenarioDecision& d) {
  sqlite3_bind_int64(stmt, 1, d.time_us);
  sqlite3_bind_text(stmt, 2, d.scenario.data(), static_cast<int>(d.scenario.size()),
                    SQLITE_STATIC);
  sqlite3_bind_int64(stmt, 3, d.priority_offset);
  sqlite3_bind_int(stmt, 4, d.stopped ? 1 : 0);
  sqlite3_bind_text(stmt, 5, d.reason.data(), static_cast<int>(d.reason.size()), SQLITE_STATIC);
  sqlite3_bind_int64(stmt, 6, d.task);
}

Result<std::vector<DecisionRow>> ReadDecisionRows(SqliteDb& db, int64_t after, int64_t limit) {
  std::vector<DecisionRow> rows;
  ALLOT_ASSIGN_OR_RETURN(int64_t tables,
                         db.QueryInt("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"
                                     " AND name = 'scenario_decisions'"));
  if (tables == 0) return rows;
  ALLOT_ASSIGN_OR_RETURN(
      SqliteStatement stmt,
      db.Prepare("SELECT seq, time_us, scenario, priority_offset, stopped, reason, task"
                 " FROM scenario_decisions WHERE seq > ?1 ORDER BY seq LIMIT ?2"));
  sqlite3_bind_int64(stmt.get(), 1, after);
  sqlite3_bind_int64(stmt.get(), 2, limit);
  int rc;
  auto text = [](sqlite3_stmt* s, int col) {
    const unsigned char* t = sqlite3_column_text(s, col);
    return t != nullptr ? std::string(reinterpret_cast<const char*>(t)) : std::string();
  };
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    sqlite3_stmt* s = stmt.get();
    DecisionRow& row = rows.emplace_back();
    row.seq = sqlite3_column_int64(s, 0);
    row.decision.time_us = sqlite3_column_int64(s, 1);
    row.decision.scenario = text(s, 2);
    row.decision.priority_offset = static_cast<int>(sqlite3_column_int64(s, 3));
    row.decision.stopped = sqlite3_column_int(s, 4) != 0;
    row.decision.reason = text(s, 5);
    const int64_t task = sqlite3_column_int64(s, 6);
    if (task < 0 || task > UINT32_MAX) {
      return Status::Corruption(db.path() + ": scenario decision " + std::to_string(row.seq) +
                                " names task " + std::to_string(task));
    }
    row.decision.task = static_cast<uint32_t>(task);
  }
  if (rc != SQLITE_DONE) return db.Error(rc, "reading scenario decisions");
  return rows;
}

}  // namespace allot
