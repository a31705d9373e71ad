// Lossless TaskSpec <-> JSON, for the journal and for machine-readable output. The JSON shape
// is the task-file shape (durations in seconds as numbers, memory in bytes).
#pragma once

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "model/task_spec.h"

namespace allot {

nlohmann::json TaskSpecToJson(const TaskSpec& spec);
// Inverse of TaskSpecToJson; Corruption when `j` is not such a document.
Result<TaskSpec> TaskSpecFromJson(const nlohmann::json& j);

}  // namespace allot
