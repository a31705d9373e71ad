#include "model/task_attempt.h"

#include <algorithm>

namespace allot {

std::string_view AttemptEndName(AttemptEnd end) {
  switch (end) {
    case AttemptEnd::kUnderway: return "running";
    case AttemptEnd::kSucceeded: return "succeeded";
    case AttemptEnd::kFailed: return "failed";
    case AttemptEnd::kTimeout: return "timeout";
    case AttemptEnd::kMemoryKilled: return "memory-killed";
    case AttemptEnd::kCanceled: return "canceled";
    case AttemptEnd::kPreempted: return "preempted";
    case AttemptEnd::kLost: return "lost";
  }
  return "unknown";
}

AttemptEnd AttemptEndOf(const TaskEvent& e) {
  switch (e.to) {
    case TaskState::kSucceeded: return AttemptEnd::kSucceeded;
    case TaskState::kCanceled: return AttemptEnd::kCanceled;
    case TaskState::kPreempted: return AttemptEnd::kPreempted;
    case TaskState::kLost: return AttemptEnd::kLost;
    default: break;
  }
  // -> failed, ready (a retry, or more memory) or waiting (a retry after a backoff).
  if (!e.usage) return AttemptEnd::kFailed;
  if (e.usage->memory_exceeded) return AttemptEnd::kMemoryKilled;
  if (e.usage->timed_out) return AttemptEnd::kTimeout;
  return AttemptEnd::kFailed;
}

void AttemptFold::Apply(const TaskEvent& e) {
  if (StartsAttempt(e.from, e.to)) {
    TaskAttempt& a = open_[e.task];
    a = TaskAttempt{};
    a.task = e.task;
    a.attempt = e.attempt;
    a.worker = e.worker;
    a.cores = e.cores;
    a.gpus = e.gpus;
    a.memory_bytes = e.memory_bytes;
    a.started_us = e.wall_time_us;
    return;
  }
  if (IsActive(e.from) && IsActive(e.to)) {  // paused, resumed
    if (auto it = open_.find(e.task); it != open_.end()) it->second.state = e.to;
    return;
  }
  if (!EndsAttempt(e.from, e.to)) return;
  TaskAttempt a;
  if (auto it = open_.find(e.task); it != open_.end()) {
    a = std::move(it->second);
    open_.erase(it);
  } else {
    a.task = e.task;
    a.attempt = e.attempt;
    a.started_us = e.usage ? e.wall_time_us - e.usage->wall.count() : e.wall_time_us;
  }
  a.ended_us = std::max(e.wall_time_us, a.started_us);
  a.state = e.to;
  a.outcome = AttemptEndOf(e);
  a.usage = e.usage;
  a.reason = e.reason;
  ended_.push_back(std::move(a));
}

const TaskAttempt* AttemptFold::open(TaskIndex t) const {
  auto it = open_.find(t);
  return it == open_.end() ? nullptr : &it->second;
}

std::vector<TaskAttempt> TaskAttemptsOf(std::span<const TaskEvent> events) {
  AttemptFold fold;
  for (const TaskEvent& e : events) fold.Apply(e);
  std::vector<TaskAttempt> out = fold.TakeEnded();
  for (const auto& [task, a] : fold.open()) out.push_back(a);
  return out;
}

}  // namespace allot
