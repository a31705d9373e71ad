// The JSON of a TaskAttempt, as `allot status ID --json` and GET /api/v1/tasks/{ref} show it
// (docs/CLUSTER.md): {attempt, execution, worker, cores, memory, started_us, ended_us, state,
// outcome, exit_code, signal, timed_out, wall_s, cpu_s, user_s, sys_s, mean_cores, peak_cores, max_rss,
// read_bytes, write_bytes, memory_exceeded, reason}. Usage fields are present once the attempt
// ended with usage; exit_code is null when a signal ended it. `state` is the state the task went
// to when the attempt ended (ready for a retry, ...); `outcome` is how the attempt itself ended
// (AttemptEndName: succeeded, failed, timeout, memory-killed, canceled, preempted, lost), or
// running/paused while it runs. Thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "model/task_attempt.h"

namespace allot {

nlohmann::json TaskAttemptToJson(const TaskAttempt& record, const std::string& task_id);

}  // namespace allot
