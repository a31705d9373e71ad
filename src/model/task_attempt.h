// TaskAttempt and AttemptFold: attempts as a journal's events tell them. The fold is the one
// place that says where an attempt starts (model: StartsAttempt), what pauses and resumes do
// (they belong to the attempt they interrupt) and what ends it (EndsAttempt, with the usage and
// reason of that transition). `allot status` (from the journal and from a server), accounting
// reports, learned profiles and the forecast all read attempts through it, and the scheduler
// learns by the same rule (EndTeachesProfile), so none of them can disagree.
// Plain data and a pure fold; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/task_event.h"

namespace allot {

// How one attempt ended, whatever its task did next (ran again, waited out a backoff, failed
// for good): an attempt that timed out is a timeout even when its task is retried.
enum class AttemptEnd : uint8_t {
  kUnderway,      // running or paused
  kSucceeded,     // exited 0
  kFailed,        // exited non-zero or by a signal, or could not start
  kTimeout,       // ended after its time limit's SIGTERM
  kMemoryKilled,  // killed for going above its memory
  kCanceled,      // a person canceled it (or its worker went away while it was being canceled)
  kPreempted,     // allot was stopped while it ran
  kLost,          // its worker (or allot) went away
};
inline constexpr int kAttemptEndCount = 8;
// "running", "succeeded", "failed", "timeout", "memory-killed", "canceled", "preempted", "lost".
std::string_view AttemptEndName(AttemptEnd end);
// How the attempt that event `e` ends ended. REQUIRES: EndsAttempt(e.from, e.to).
AttemptEnd AttemptEndOf(const TaskEvent& e);

struct TaskAttempt {
  TaskIndex task = 0;
  uint32_t attempt = 0;
  std::string worker;  // empty: the embedded worker of `allot run`
  std::vector<int> cores;
  std::vector<int> gpus;
  int64_t memory_bytes = 0;  // held, and its memory limit; 0: none
  // When it started; for an attempt whose start is not in the events, its end minus its wall.
  int64_t started_us = 0;
  std::optional<int64_t> ended_us;
  // running or paused while it runs; else the state its end led to (succeeded, failed, ready
  // for a retry, lost, ...).
  TaskState state = TaskState::kRunning;
  AttemptEnd outcome = AttemptEnd::kUnderway;  // how it ended (AttemptEndOf)
  std::optional<AttemptUsage> usage;  // once it ended with usage (lost attempts have none)
  std::string reason;
  bool operator==(const TaskAttempt&) const = default;

  // Whether its profile learns from it: it ended by itself and was measured.
  bool TeachesProfile() const { return ended_us && usage && EndTeachesProfile(state); }
};

class AttemptFold {
 public:
  // Feeds one event; events come in journal order.
  void Apply(const TaskEvent& e);

  // The attempts that ended, in the order they ended.
  const std::vector<TaskAttempt>& ended() const { return ended_; }
  std::vector<TaskAttempt> TakeEnded() { return std::move(ended_); }
  // The attempt of task `t` that is running or paused, or null.
  const TaskAttempt* open(TaskIndex t) const;
  const std::unordered_map<TaskIndex, TaskAttempt>& open() const { return open_; }

 private:
  std::vector<TaskAttempt> ended_;
  std::unordered_map<TaskIndex, TaskAttempt> open_;  // at most one attempt of a task at a time
};

// The attempts of one task, from its events in journal order (other tasks' events must not be
// among them): those that ended, then the one under way, if any.
std::vector<TaskAttempt> TaskAttemptsOf(std::span<const TaskEvent> events);

}  // namespace allot
