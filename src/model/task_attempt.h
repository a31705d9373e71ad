// TaskAttempt: one attempt of a task as its journal events tell it: where and with what it
// ran, how it ended and what it used; the rows of `allot status ID` (from the journal, and from
// a server's GET /api/v1/tasks/{ref}). Plain data and a pure function; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model/task_event.h"

namespace allot {

struct TaskAttempt {
  uint32_t attempt = 0;
  std::string worker;  // empty: the embedded worker of `allot run`
  std::vector<int> cores;
  int64_t memory_bytes = 0;  // held, and its memory limit; 0: none
  int64_t started_us = 0;
  std::optional<int64_t> ended_us;
  // running or paused while it runs; else the state its end led to (succeeded, failed, ready
  // for a retry, lost, ...).
  TaskState state = TaskState::kRunning;
  std::optional<AttemptUsage> usage;  // once it ended with usage (lost attempts have none)
  std::string reason;
  bool operator==(const TaskAttempt&) const = default;
};

// The attempts of one task, from its events in journal order (other tasks' events must not be
// among them). Resumes and pauses belong to the attempt they interrupt.
std::vector<TaskAttempt> TaskAttemptsOf(std::span<const TaskEvent> events);

}  // namespace allot
