// TimerQueue: deadlines the scheduler set for itself (time limits, kill-after-grace, retry
// backoffs). Timers are never cancelled; a fired timer whose task moved on is ignored by its
// handler (it checks the attempt). Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <queue>
#include <vector>

#include "common/time.h"
#include "model/task_event.h"

namespace allot {

enum class TimerKind : uint8_t {
  kTimeLimit,     // send SIGTERM to an attempt that ran too long
  kKillAfterGrace,  // SIGKILL an attempt that outlived its grace period
  kRetry,         // a retry backoff is over: waiting -> ready
  kCheckpoint,    // a checkpointing attempt's `every` is due: send it its checkpoint signal
  kPreemptCheck,  // the waiting head reached SchedulerOptions::preempt_after: schedule again
  kEndCheckpoint,  // a checkpointing attempt's last checkpoint before its allocation's end
};

struct Timer {
  TimePoint due;
  TimerKind kind;
  TaskIndex task;
  uint32_t attempt;
};

class TimerQueue {
 public:
  void Add(const Timer& t) { heap_.push(t); }
  std::optional<TimePoint> NextDue() const {
    if (heap_.empty()) return std::nullopt;
    return heap_.top().due;
  }
  // Removes and returns every timer due at or before `now`, earliest first.
  std::vector<Timer> PopDue(TimePoint now) {
    std::vector<Timer> due;
    while (!heap_.empty() && heap_.top().due <= now) {
      due.push_back(heap_.top());
      heap_.pop();
    }
    return due;
  }
  bool empty() const { return heap_.empty(); }

 private:
  struct Later {
    bool operator()(const Timer& a, const Timer& b) const { return a.due > b.due; }
  };
  std::priority_queue<Timer, std::vector<Timer>, Later> heap_;
};

}  // namespace allot
