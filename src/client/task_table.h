// The text of `allot status` against a server: the task table of GET /api/v1/tasks and the
// detail of GET /api/v1/tasks/{ref} (docs/CLUSTER.md). Pure formatting; unknown or missing
// fields print as "-".
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

namespace allot {

// A header line and one line per task of `tasks` (an array of task objects): ID, STATE,
// ATTEMPT, EXIT ("timeout" when the time limit ended the last attempt), WORKER, REASON (the
// task's "why"). `allot status` prints it from a journal and from a server alike. At most `limit` tasks (0: all), then
// "... N more (--all to list every task)" when `more` > 0 (N = more plus those cut by limit).
std::string FormatTaskTable(const nlohmann::json& tasks, size_t limit, int64_t more);

// One task with its attempts: a summary line, the command, tags and why it waits, then
// FormatAttemptTable of its "attempts".
std::string FormatTaskDetail(const nlohmann::json& task);

// A header line and one line per attempt object (model/task_attempt_json.h): ATTEMPT, OUTCOME
// (how the attempt ended: timeout, memory-killed, ...; not where its task went next),
// WORKER, EXIT, WALL, CPU (user + sys), CORES (mean/peak), MAX RSS, MEM LIMIT (the memory it
// held; "!" when it was killed for going above it), READ, WRITTEN, REASON.
std::string FormatAttemptTable(const nlohmann::json& attempts);

}  // namespace allot
