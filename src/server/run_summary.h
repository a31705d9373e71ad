// RunSummary: the end-of-run account of `allot run`: counts per outcome, wall and CPU time,
// speedup, and the tasks that did not succeed. Printed for people and written as
// <workdir>/summary.json for programs.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/scheduler.h"
#include "journal/journal_store.h"
#include "server/campaign_runner.h"

namespace allot {

struct RunSummary {
  int64_t total = 0;
  int64_t succeeded = 0, failed = 0, skipped = 0, canceled = 0;
  int64_t unfinished = 0;      // not terminal (the run was stopped)
  double wall_seconds = 0;     // this run of allot
  double cpu_seconds = 0;      // user + sys of the attempts that ended in this run
  double task_seconds = 0;     // their summed wall times
  int64_t attempts_ended = 0;  // attempts that ended in this run
  int stop_signal = 0;
  bool allocation_ended = false;  // stopped because the allocation ends (--end-time)
  int64_t allocation_end_wall_us = 0;
  std::string journal_error;
  // Every task that ended unsuccessfully: in this run, then (after a resume) before it.
  std::vector<FailedTask> unsuccessful;

  bool all_succeeded() const { return succeeded == total; }
  // Sum of attempt wall times over the campaign's wall time: the parallelism achieved.
  double speedup() const { return wall_seconds > 0 ? task_seconds / wall_seconds : 0; }
};

RunSummary Summarize(const Scheduler& scheduler, const RunOutcome& outcome);
// After a journal failure the scheduler knows of transitions the journal never got; a resume
// starts from the journal. Replaces the counts with the journal's (`contents`: its Load) and
// keeps only the unsuccessful tasks it records so. When it could not be read, the counts stay
// and journal_error says they are allot's own.
void CountFromJournal(const Result<JournalContents>& contents, RunSummary* summary);
nlohmann::json SummaryToJson(const RunSummary& summary);
// A few lines for people; lists at most `max_listed` unsuccessful tasks.
std::string SummaryToText(const RunSummary& summary, size_t max_listed = 10);

}  // namespace allot
