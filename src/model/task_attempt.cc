#include "model/task_attempt.h"

namespace allot {

std::vector<TaskAttempt> TaskAttemptsOf(std::span<const TaskEvent> events) {
  std::vector<TaskAttempt> out;
  for (const TaskEvent& e : events) {
    if (e.to == TaskState::kRunning && e.from != TaskState::kPaused && e.attempt > 0) {
      TaskAttempt& a = out.emplace_back();
      a.attempt = e.attempt;
      a.worker = e.worker;
      a.cores = e.cores;
      a.memory_bytes = e.memory_bytes;
      a.started_us = e.wall_time_us;
      continue;
    }
    if (out.empty() || out.back().attempt != e.attempt) continue;
    TaskAttempt& a = out.back();
    if (a.ended_us) continue;
    if (IsActive(e.to) && IsActive(e.from)) {
      a.state = e.to;  // paused, resumed
      continue;
    }
    if (!IsActive(e.from)) continue;
    a.ended_us = e.wall_time_us;
    a.state = e.to;
    a.usage = e.usage;
    a.reason = e.reason;
  }
  return out;
}

}  // namespace allot
