// ReadyQueue: the tasks in state `ready`, ordered by priority (higher first), then by
// submission index (FIFO among equals; a retried task keeps its original place).
// Holds: exactly the tasks whose state is kReady. Not thread-safe.
#pragma once

#include <cstdint>
#include <set>
#include <utility>
#include <vector>
#include <algorithm>

#include "model/task_event.h"

namespace allot {

class ReadyQueue {
 public:
  using Key = uint64_t;

  void Push(TaskIndex task, int priority) { keys_.insert(MakeKey(task, priority)); }
  void Erase(TaskIndex task, int priority) { keys_.erase(MakeKey(task, priority)); }
  // Replaces the contents with `tasks` (task, priority), in any order. Linear after a sort,
  // for building the queue once (Recover) instead of one Push per task.
  void Assign(const std::vector<std::pair<TaskIndex, int>>& tasks) {
    std::vector<Key> keys;
    keys.reserve(tasks.size());
    for (const auto& [task, priority] : tasks) keys.push_back(MakeKey(task, priority));
    std::sort(keys.begin(), keys.end());
    keys_ = std::set<Key>(keys.begin(), keys.end());
  }
  bool empty() const { return keys_.empty(); }
  size_t size() const { return keys_.size(); }

  // In dispatch order.
  auto begin() const { return keys_.begin(); }
  auto end() const { return keys_.end(); }
  static TaskIndex TaskOf(Key key) { return static_cast<TaskIndex>(key & 0xffffffffu); }
  // Equal for keys of equal priority (and ordered as the priorities are, highest first).
  static uint32_t PriorityKeyOf(Key key) { return static_cast<uint32_t>(key >> 32); }

 private:
  static Key MakeKey(TaskIndex task, int priority) {
    // Higher priority sorts first: invert the (offset) priority.
    uint32_t inverted = 0xffffffffu - (static_cast<uint32_t>(priority) ^ 0x80000000u);
    return (static_cast<Key>(inverted) << 32) | task;
  }

  std::set<Key> keys_;
};

}  // namespace allot
