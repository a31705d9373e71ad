// The JSON of one journaled transition, as `allot events` prints it and GET /api/v1/events and
// GET /api/v1/tasks/{ref} answer it: {seq, task, attempt, execution, from, to, time_us, reason,
// [exit_code, signal, wall_s], [worker]}.
#pragma once

#include <nlohmann/json.hpp>

#include "journal/journal_reader.h"

namespace allot {

nlohmann::json JournalEventRowToJson(const JournalEventRow& row);

}  // namespace allot
