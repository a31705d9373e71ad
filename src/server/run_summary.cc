#include "server/run_summary.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "common/units.h"
#include "journal/task_summary.h"

namespace allot {

RunSummary Summarize(const Scheduler& scheduler, const RunOutcome& outcome) {
  RunSummary s;
  const auto& c = scheduler.counts();
  auto n = [&c](TaskState st) { return c[static_cast<int>(st)]; };
  s.total = static_cast<int64_t>(scheduler.task_count());
  s.succeeded = n(TaskState::kSucceeded);
  s.failed = n(TaskState::kFailed);
  s.skipped = n(TaskState::kSkipped);
  s.canceled = n(TaskState::kCanceled);
  s.unfinished = s.total - s.succeeded - s.failed - s.skipped - s.canceled;
  s.wall_seconds = ToSeconds(outcome.wall);
  s.cpu_seconds = ToSeconds(scheduler.totals().cpu - outcome.totals_before.cpu);
  s.task_seconds = ToSeconds(scheduler.totals().task_wall - outcome.totals_before.task_wall);
  s.stop_signal = outcome.stop_signal;
  s.allocation_ended = outcome.allocation_ended;
  s.allocation_end_wall_us = outcome.allocation_end_wall_us;
  if (!outcome.journal_error.ok()) s.journal_error = outcome.journal_error.ToString();
  s.attempts_ended = static_cast<int64_t>(scheduler.totals().attempts_ended -
                                         outcome.totals_before.attempts_ended);
  s.unsuccessful = outcome.unsuccessful;
  // A resumed campaign's failures from before this run are still its failures.
  std::unordered_set<std::string_view> listed;
  for (const FailedTask& f : outcome.unsuccessful) listed.insert(f.id);
  for (TaskIndex t = 0; t < scheduler.task_count(); ++t) {
    const TaskState state = scheduler.state(t);
    if (!IsTerminal(state) || state == TaskState::kSucceeded || listed.count(scheduler.id(t))) {
      continue;
    }
    const int exit = scheduler.last_exit(t);
    std::string reason = exit > 0   ? "exit code " + std::to_string(exit)
                         : exit < 0 ? "killed by signal " + std::to_string(-exit)
                                    : "";
    reason += reason.empty() ? "before this run" : " (before this run)";
    s.unsuccessful.push_back({scheduler.id(t), std::string(TaskStateName(state)), reason});
  }
  return s;
}

void CountFromJournal(const Result<JournalContents>& contents, RunSummary* s) {
  if (!contents.ok()) {
    s->journal_error += "; the counts are allot's own, the journal could not be read back (" +
                        contents.status().ToString() + ")";
    return;
  }
  std::vector<TaskSummary> tasks = SummarizeTasks(*contents);
  const auto counts = CountStates(tasks);
  auto n = [&counts](TaskState st) { return counts[static_cast<int>(st)]; };
  s->total = static_cast<int64_t>(tasks.size());
  s->succeeded = n(TaskState::kSucceeded);
  s->failed = n(TaskState::kFailed);
  s->skipped = n(TaskState::kSkipped);
  s->canceled = n(TaskState::kCanceled);
  s->unfinished = s->total - s->succeeded - s->failed - s->skipped - s->canceled;
  std::unordered_map<std::string_view, TaskState> state;
  for (const TaskSummary& t : tasks) state.emplace(t.id, t.state);
  std::erase_if(s->unsuccessful, [&state](const FailedTask& f) {
    auto it = state.find(f.id);
    return it == state.end() || TaskStateName(it->second) != f.state;
  });
}

nlohmann::json SummaryToJson(const RunSummary& s) {
  nlohmann::json j;
  j["tasks"] = s.total;
  j["succeeded"] = s.succeeded;
  j["failed"] = s.failed;
  j["skipped"] = s.skipped;
  j["canceled"] = s.canceled;
  j["unfinished"] = s.unfinished;
  j["wall_seconds"] = s.wall_seconds;
  j["cpu_seconds"] = s.cpu_seconds;
  j["task_seconds"] = s.task_seconds;
  j["speedup"] = s.speedup();
  j["interrupted_by"] =
      s.stop_signal ? nlohmann::json(sigabbrev_np(s.stop_signal) ? std::string("SIG") +
                                                                       sigabbrev_np(s.stop_signal)
                                                                 : std::to_string(s.stop_signal))
                    : nlohmann::json(nullptr);
  j["allocation_ended"] = s.allocation_ended;
  j["journal_error"] = s.journal_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.journal_error);
  nlohmann::json list = nlohmann::json::array();
  for (const FailedTask& f : s.unsuccessful) {
    list.push_back({{"id", f.id}, {"state", f.state}, {"reason", f.reason}});
  }
  j["unsuccessful"] = std::move(list);
  return j;
}

std::string SummaryToText(const RunSummary& s, size_t max_listed) {
  std::string out =
      fmt::format("{} task{}: {} succeeded", s.total, s.total == 1 ? "" : "s", s.succeeded);
  if (s.failed) out += fmt::format(", {} failed", s.failed);
  if (s.skipped) out += fmt::format(", {} skipped", s.skipped);
  if (s.canceled) out += fmt::format(", {} canceled", s.canceled);
  if (s.unfinished) out += fmt::format(", {} not finished", s.unfinished);
  if (s.attempts_ended == 0 && s.unfinished == 0) {
    out += fmt::format("\nwall {}: nothing left to run (every task had ended before)\n",
                       FormatDuration(FromSeconds(s.wall_seconds)));
  } else {
    out += fmt::format("\nwall {}, CPU {}, speedup {:.2f}x\n",
                       FormatDuration(FromSeconds(s.wall_seconds)),
                       FormatDuration(FromSeconds(s.cpu_seconds)), s.speedup());
  }
  if (s.stop_signal) {
    out += fmt::format("interrupted by {}: run again with --resume to continue\n",
                       strsignal(s.stop_signal));
  }
  if (s.allocation_ended && s.unfinished > 0) {
    out += "stopped before the allocation ends: run again with --resume (in the next "
           "allocation) to continue; nothing that finished runs again\n";
  }
  if (!s.journal_error.empty()) out += "journal error: " + s.journal_error + "\n";
  size_t shown = 0;
  for (const FailedTask& f : s.unsuccessful) {
    if (shown++ == max_listed) {
      out += fmt::format("  ... and {} more (see allot status)\n", s.unsuccessful.size() - max_listed);
      break;
    }
    out += fmt::format("  {:<8} {}: {}\n", f.state, f.id, f.reason);
  }
  return out;
}

}  // namespace allot
