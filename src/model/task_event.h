// TaskEvent: one accepted state transition, as the core emits it and the journal stores it.
// Replaying the events of a journal in order rebuilds the scheduler's task states.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/time.h"
#include "model/task_state.h"

namespace allot {

// Index of a task in submission order: 0, 1, 2, ... Stable for the life of a journal.
using TaskIndex = uint32_t;

// What one attempt used and how it ended. Recorded on the transition that ends an attempt.
struct AttemptUsage {
  int exit_code = -1;      // -1 when killed by a signal
  int term_signal = 0;     // 0 when it exited
  bool timed_out = false;  // the scheduler sent the time-limit signal
  Duration wall{0};
  Duration user_cpu{0};
  Duration sys_cpu{0};
  int64_t max_rss_bytes = 0;
  bool operator==(const AttemptUsage&) const = default;
};

struct TaskEvent {
  TaskIndex task = 0;
  uint32_t attempt = 0;  // the attempt this transition belongs to; 0 before the first
  TaskState from = TaskState::kWaiting;
  TaskState to = TaskState::kWaiting;
  int64_t wall_time_us = 0;           // when it happened, Unix microseconds
  std::optional<AttemptUsage> usage;  // set when an attempt ended
  std::vector<int> cores;             // OS CPU ids held, on -> running
  std::vector<int> gpus;              // GPU ids held, on -> running
  int64_t memory_bytes = 0;           // memory held, on -> running
  std::string worker;                 // the worker's name, on -> running (empty: embedded)
  bool by_user = false;               // asked for by a person (cancel, skip, pause, resume)
  std::string reason;  // why, for people: "dependency sim-3 failed", "retry 2 of 3 in 4s"
  bool operator==(const TaskEvent&) const = default;
};

}  // namespace allot
