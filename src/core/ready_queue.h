// ReadyQueue: the tasks in state `ready`, ordered by priority (higher first), then by
// submission index (FIFO among equals; a retried task keeps its original place).
// Holds: exactly the tasks whose state is kReady. Not thread-safe.
#pragma once

#include <cstdint>
#include <set>

#include "model/task_event.h"

namespace allot {

class ReadyQueue {
 public:
  using Key = uint64_t;

  void Push(TaskIndex task, int priority) { keys_.insert(MakeKey(task, priority)); }
  void Erase(TaskIndex task, int priority) { keys_.erase(MakeKey(task, priority)); }
  bool empty() const { return keys_.empty(); }
  size_t size() const { return keys_.size(); }

  // In dispatch order.
  auto begin() const { return keys_.begin(); }
  auto end() const { return keys_.end(); }
  static TaskIndex TaskOf(Key key) { return static_cast<TaskIndex>(key & 0xffffffffu); }

 private:
  static Key MakeKey(TaskIndex task, int priority) {
    // Higher priority sorts first: invert the (offset) priority.
    uint32_t inverted = 0xffffffffu - (static_cast<uint32_t>(priority) ^ 0x80000000u);
    return (static_cast<Key>(inverted) << 32) | task;
  }

  std::set<Key> keys_;
};

}  // namespace allot
