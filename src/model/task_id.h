// Task ids name directories (the task's checkpoint and output folders) and appear in URLs,
// so they are restricted. Used by the task-file parser and by the API for submitted ids.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"

namespace allot {

inline constexpr size_t kMaxTaskIdLength = 200;

// OK, or InvalidArgument saying why `id` cannot be a task id: empty, ".", "..", longer than
// kMaxTaskIdLength bytes, not valid UTF-8, or containing '/', whitespace, control characters,
// invisible or direction-changing characters (see IsInvisibleOrControl), the pattern
// characters '*' and '?' (reserved for depends_on patterns), '@' (execution ids are
// <id>@<attempt>) or ',' (lists of ids are comma-separated). Every accepted id can be named
// on the command line, in a URL and in a list.
Status ValidateTaskId(std::string_view id);

// An execution id, "<task id>@<attempt>": attempt `attempt` of the task. The one format, for
// ALLOT_EXECUTION_ID, the API, `allot status` and messages.
std::string ExecutionRef(std::string_view task_id, uint32_t attempt);
// The task id and attempt of an execution id; none when `ref` is not one (no '@', or not a
// positive number of at most 10 digits after the last one).
std::optional<std::pair<std::string_view, uint32_t>> SplitExecutionRef(std::string_view ref);

}  // namespace allot
