// TaskRefs: what a person's task references name, for control, wait and listings (the HTTP
// API, so the CLI and the Python client alike). A reference is
//   - a task id,
//   - an execution id <id>@<attempt> (model/task_id.h), or
//   - a pattern with '*' or '?' (model/glob.h), matched as depends_on matches them: over every
//     task the server holds, through HeldTaskIds::Lookup, the matching the resolver of task
//     files does. Task ids cannot hold '*' or '?', so a pattern is never an id.
// Patterns are matched here and nowhere else; clients send them as they are.
//
// Thread-safety: reads the scheduler; call it on the thread that owns it (the loop).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "core/scheduler.h"

namespace allot {

struct TaskRef {
  TaskIndex task = 0;
  std::optional<uint32_t> attempt;  // named by an execution id
  size_t ref_index = 0;             // which of the refs named it
  bool from_pattern = false;
};

// The tasks `refs` name, in the order of `refs`; a pattern's matches sorted by id. Errors:
// NotFound naming the first ref that names no task, or the pattern that matches none.
Result<std::vector<TaskRef>> ResolveTaskRefs(const Scheduler& scheduler,
                                            const std::vector<std::string>& refs);

}  // namespace allot
