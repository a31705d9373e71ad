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

}  // namespace allot
