// Test helpers for the report layer: a JournalContents written by hand, one transition at a
// time, with times in seconds from a fixed epoch. Header-only; for *_test.cc only.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "journal/journal_store.h"

namespace allot::report_testing {

// 2024-05-01T00:00:00Z: far from 0 so that a zero time would stand out.
inline constexpr int64_t kEpochUs = 1714521600LL * 1'000'000;
inline int64_t At(double seconds) { return kEpochUs + static_cast<int64_t>(seconds * 1e6); }
inline constexpr int64_t kGiB = 1LL << 30;

class JournalBuilder {
 public:
  // Submits a ready task; returns its index.
  TaskIndex Submit(const std::string& id, std::map<std::string, std::string> tags = {}) {
    Submission s;
    s.index = static_cast<TaskIndex>(contents_.submissions.size());
    s.spec.id = id;
    s.spec.command = "true";
    s.spec.tags = std::move(tags);
    contents_.submissions.push_back(std::move(s));
    return contents_.submissions.back().index;
  }
  // ready -> running at `t` seconds, holding `cores` cores (ids 0..cores-1), `gpus` and
  // `memory` bytes.
  JournalBuilder& Start(TaskIndex task, uint32_t attempt, double t, int cores, int gpus = 0,
                        int64_t memory = 0) {
    TaskEvent e = Event(task, attempt, TaskState::kReady, TaskState::kRunning, t);
    for (int c = 0; c < cores; ++c) e.cores.push_back(c);
    for (int g = 0; g < gpus; ++g) e.gpus.push_back(g);
    e.memory_bytes = memory;
    contents_.events.push_back(std::move(e));
    return *this;
  }
  // running -> `to` at `t` seconds, with a wall of t - start (given), the CPU seconds and
  // peak RSS.
  JournalBuilder& End(TaskIndex task, uint32_t attempt, double t, TaskState to, double wall_s,
                      double cpu_s, int64_t rss = 0, TaskState from = TaskState::kRunning) {
    TaskEvent e = Event(task, attempt, from, to, t);
    AttemptUsage u;
    u.exit_code = to == TaskState::kSucceeded ? 0 : 1;
    u.wall = FromSeconds(wall_s);
    u.user_cpu = FromSeconds(cpu_s * 0.75);
    u.sys_cpu = FromSeconds(cpu_s) - u.user_cpu;
    u.max_rss_bytes = rss;
    e.usage = u;
    contents_.events.push_back(std::move(e));
    return *this;
  }
  // A transition without usage (pause, resume, lost).
  JournalBuilder& Move(TaskIndex task, uint32_t attempt, double t, TaskState from, TaskState to) {
    contents_.events.push_back(Event(task, attempt, from, to, t));
    return *this;
  }
  JournalBuilder& Meta(const std::string& key, const std::string& value) {
    contents_.meta.emplace_back(key, value);
    return *this;
  }
  const JournalContents& contents() const { return contents_; }
  // To set what the helpers above leave at their defaults.
  std::vector<TaskEvent>& mutable_events() { return contents_.events; }
  // A metric of `task` (attempt 1) at `t` seconds.
  JournalBuilder& Metric(TaskIndex task, const std::string& name, double value,
                         std::optional<int64_t> step, double t) {
    contents_.metrics.push_back(MetricPoint{task, 1, name, value, step,
                                            static_cast<int64_t>(t * 1e6)});
    return *this;
  }

 private:
  static TaskEvent Event(TaskIndex task, uint32_t attempt, TaskState from, TaskState to, double t) {
    TaskEvent e;
    e.task = task;
    e.attempt = attempt;
    e.from = from;
    e.to = to;
    e.wall_time_us = At(t);
    return e;
  }

  JournalContents contents_;
};

}  // namespace allot::report_testing
