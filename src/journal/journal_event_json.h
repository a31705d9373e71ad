// The JSON of one journaled transition, as `allot events` prints it and GET /api/v1/events and
// GET /api/v1/tasks/{ref} answer it: {seq, task, attempt, execution, from, to, time_us, reason,
// [exit_code, signal, wall_s], [worker]}.
#pragma once

#include <nlohmann/json.hpp>

#include "journal/journal_reader.h"
#include "journal/metric_rows.h"

namespace allot {

nlohmann::json JournalEventRowToJson(const JournalEventRow& row);

// The JSON of one journaled metric, as `allot events` prints it and GET /api/v1/events answers
// it: {metric_seq, task, attempt, metric, value, [step], time_us}. `task_id`: its task's id.
nlohmann::json MetricRowToJson(const MetricRow& row, const std::string& task_id);

// The JSON of one journaled scenario decision, as `allot events` prints it and GET
// /api/v1/events answers it: {decision_seq, scenario, priority_offset, stopped, reason, task,
// time_us}. `task_id`: the task whose metric caused it.
nlohmann::json DecisionRowToJson(const DecisionRow& row, const std::string& task_id);

// The latest point of each metric among `points` (in journal order), as `allot status ID
// --json` and GET /api/v1/tasks/{ref} show a task's: {"loss": {"value", "step", "attempt",
// "time_us"}, ...}; {} when none.
nlohmann::json LatestMetricsJson(const std::vector<const MetricPoint*>& points);
// For people: "loss 0.25 (step 2), acc 0.75 (step 1)".
std::string LatestMetricsText(const nlohmann::json& latest);

}  // namespace allot
