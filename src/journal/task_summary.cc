#include "journal/task_summary.h"

#include <algorithm>

namespace allot {
namespace {

void Apply(const TaskEvent& e, TaskSummary& t) {
  t.state = e.to;
  t.last_attempt = e.attempt;
  // The latest transition's: a task that went on (succeeded, runs again) keeps no stale one.
  t.last_reason = e.reason;
  if (e.to == TaskState::kRunning && e.from != TaskState::kPaused) {
    ++t.attempts;
    if (!t.first_start_us) t.first_start_us = e.wall_time_us;
  }
  if (IsActive(e.from) && !IsActive(e.to)) t.last_end_us = e.wall_time_us;
  if (e.to == TaskState::kReady && e.memory_bytes != 0) t.memory_bytes = e.memory_bytes;
  if (e.usage) {
    const AttemptUsage& u = *e.usage;
    t.last_exit_code = u.exit_code;
    t.last_term_signal = u.term_signal;
    t.last_timed_out = u.timed_out;
    t.total_wall += u.wall;
    t.total_cpu += u.user_cpu + u.sys_cpu;
    t.max_rss_bytes = std::max(t.max_rss_bytes, u.max_rss_bytes);
  }
}

}  // namespace

std::vector<TaskSummary> SummarizeTasks(const JournalContents& contents) {
  std::vector<TaskSummary> out(contents.submissions.size());
  for (size_t i = 0; i < out.size(); ++i) {
    const Submission& s = contents.submissions[i];
    out[i].index = static_cast<TaskIndex>(i);
    out[i].id = s.spec.id;
    out[i].state = s.initial_state;
    out[i].submitted_us = s.wall_time_us;
    out[i].memory_bytes = s.spec.resources.memory_bytes;
  }
  for (const TaskEvent& e : contents.events) {
    if (e.task < out.size()) Apply(e, out[e.task]);
  }
  return out;
}

std::array<int64_t, kTaskStateCount> CountStates(const std::vector<TaskSummary>& summaries) {
  std::array<int64_t, kTaskStateCount> counts{};
  for (const TaskSummary& t : summaries) ++counts[static_cast<int>(t.state)];
  return counts;
}

}  // namespace allot
