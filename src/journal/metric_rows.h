// Rows of the journal's metrics and scenario_decisions tables (journal_schema.h, version 7 on):
// the SQL that writes and reads intermediate metrics (model/metric_point.h) and the scenario
// policy's decisions (model/scenario_decision.h). A journal of an earlier version opened
// read-only has no such tables: it reads as none. Stateless.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/result.h"
#include "journal/sqlite_db.h"
#include "model/metric_point.h"
#include "model/scenario_decision.h"

struct sqlite3_stmt;

namespace allot {

// ?1 task, ?2 attempt, ?3 name, ?4 step (NULL: none), ?5 value, ?6 time_us; seq is the rowid.
inline constexpr const char* kInsertMetricSql =
    "INSERT INTO metrics(task, attempt, name, step, value, time_us)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6)";

// Binds `point` to a kInsertMetricSql statement (the name is bound transiently-static: it must
// outlive the statement's next step).
void BindMetric(sqlite3_stmt* stmt, const MetricPoint& point);

// A journaled metric with its sequence number (1, 2, ... in commit order; its own sequence,
// not the events').
struct MetricRow {
  int64_t seq = 0;
  MetricPoint point;
};

// Up to `limit` metrics with seq > `after` (of `task` only, when given), in order. None when
// the journal predates the table.
Result<std::vector<MetricRow>> ReadMetricRows(SqliteDb& db, int64_t after, int64_t limit,
                                              std::optional<uint32_t> task = std::nullopt);

inline constexpr const char* kInsertDecisionSql =
    "INSERT INTO scenario_decisions(time_us, scenario, priority_offset, stopped, reason, task)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6)";

// Binds `decision` to a kInsertDecisionSql statement (its strings must outlive the step).
void BindDecision(sqlite3_stmt* stmt, const ScenarioDecision& decision);

struct DecisionRow {
  int64_t seq = 0;  // its own sequence
  ScenarioDecision decision;
};

// Up to `limit` decisions with seq > `after`, in order. None when the journal predates the
// table.
Result<std::vector<DecisionRow>> ReadDecisionRows(SqliteDb& db, int64_t after, int64_t limit);

}  // namespace allot
