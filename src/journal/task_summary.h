// Per-task summaries of a journal, for `allot status` and reports: where each task stands and
// what its attempts cost. Pure functions of JournalContents; thread-compatible.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/time.h"
#include "journal/journal_store.h"

namespace allot {

struct TaskSummary {
  TaskIndex index = 0;
  std::string id;
  TaskState state = TaskState::kReady;  // the last event's `to`, else the initial state
  int64_t submitted_us = 0;
  // Attempts started: transitions into running, not counting resumes from paused.
  uint32_t attempts = 0;
  uint32_t last_attempt = 0;  // the `attempt` of the task's last event
  // How the last ended attempt ended (from its AttemptUsage); unset before any ended.
  std::optional<int> last_exit_code;
  int last_term_signal = 0;
  bool last_timed_out = false;
  std::string last_reason;                // the latest transition's reason (may be empty)
  Duration total_wall{0};                 // summed over ended attempts
  Duration total_cpu{0};                  // user + system, summed over ended attempts
  int64_t max_rss_bytes = 0;              // the largest over ended attempts
  // The memory it asks for now: the spec's, grown after attempts killed at their memory limit.
  int64_t memory_bytes = 0;
  std::optional<int64_t> first_start_us;  // first transition into running
  // Last transition that ended an attempt (out of running or paused, other than between
  // them).
  std::optional<int64_t> last_end_us;
  bool operator==(const TaskSummary&) const = default;
};

// One summary per submission, in index order. Events are applied in journal order.
std::vector<TaskSummary> SummarizeTasks(const JournalContents& contents);

// How many tasks are in each state, indexed by static_cast<int>(TaskState).
std::array<int64_t, kTaskStateCount> CountStates(const std::vector<TaskSummary>& summaries);

}  // namespace allot
