// LocalCampaign: the composition root of `allot run`. It opens (or resumes) one campaign's
// journal under its lock, puts the tasks into a Scheduler, and runs them on this machine
// through a CampaignRunner (the one ServerLoop with a LocalChannel), then writes the
// campaign's summary.json. The CLI only parses flags, loads the task file and prints.
//
//   LocalCampaignOptions o;  o.machine = ...;  o.workdir = "/abs/work";  o.db = ...;
//   Result<RunSummary> summary = RunLocalCampaign(o, std::move(loaded_tasks));
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "journal/sqlite_journal.h"
#include "model/machine.h"
#include "model/task_file.h"
#include "server/failure_injection.h"
#include "server/progress_reporter.h"
#include "server/run_summary.h"

namespace allot {

struct LocalCampaignOptions {
  Machine machine;          // what the tasks are placed on
  std::string workdir;      // absolute; every task's directory is under it
  std::string db;           // absolute path of the journal
  std::string tasks_file;   // absolute path of the task file, recorded in a new journal
  bool resume = false;      // continue the journal at `db` (which must exist) or start one
  // With resume: failed and canceled tasks run again with a fresh retry budget, and the
  // dependents skipped because of them wait for them (server/requeue_tasks.h).
  bool retry_failed = false;
  int max_running = 0;      // at most this many attempts at once (0: as the cores allow)
  // When the allocation ends, on the wall clock (microseconds since the epoch; 0: never), and
  // how long before it the run stops: tasks that would not end by then are not started, and
  // at that moment the run stops as SIGTERM stops it (RunOutcome::allocation_ended).
  int64_t end_wall_us = 0;
  Duration end_margin = std::chrono::seconds(60);
  // SchedulerOptions::preempt_after: how long higher-priority work waits before preemptible
  // work of lower priority makes room; none: never.
  std::optional<Duration> preempt_after = std::chrono::minutes(5);
  // --share PROJECT=WEIGHT, --share-half-life (SchedulerOptions): fair share; empty: off.
  std::map<std::string, double> share_weights;
  Duration share_half_life = std::chrono::hours(1);
  // --inject-failures (failure_injection.h); none: nothing is broken on purpose.
  std::optional<FailureInjection> inject;
  // Durability, busy timeout and loss acceptance; create_new and must_exist are set here.
  SqliteJournalOptions journal;
  Duration sample_interval = std::chrono::seconds(1);  // usage sampling of attempts (0: off)
  ProgressMode progress = ProgressMode::kAuto;
  // When both are set (`--feed IN,OUT`): more tasks arrive on `feed_in` while the campaign
  // runs and task ends are reported on `feed_out` (server/submission_feed.h); the run does not
  // end before the feed says so. Both are closed by the run.
  int feed_in = -1;
  int feed_out = -1;
  // The base_dir of fed submissions that name none (where allot was started).
  std::string feed_base_dir;
  // Lines about the campaign that are not the progress line (a journal waiting for a lock,
  // leftover processes killed, a journal loss accepted); default: "allot run: LINE" on stderr.
  std::function<void(const std::string&)> log;
  // Meta entries of a new campaign, journaled in the commit of its tasks (JournalStore::PutMeta),
  // e.g. the normalized spec of an `allot study` (study/study_spec.h kStudyMetaKey). Not
  // written on resume.
  std::vector<std::pair<std::string, std::string>> meta;
};

// Runs the campaign to its end or to a stop (SIGINT, SIGTERM, SIGHUP, read by the loop) and
// writes <workdir>/summary.json. `loaded` holds the task file's tasks: required for a new
// campaign; on resume, new ids are added and known ids must be unchanged.
//
// Errors, writing nothing to an existing journal: InvalidArgument for bad input (a changed
// task, one that no longer fits; its diagnostics attached), the journal's and lock's own
// codes for a journal that cannot be opened, created or locked, Internal for a launcher or a
// loop that cannot run. A journal that fails mid-run is no error: the summary's journal_error
// says so, and its counts are the journal's.
Result<RunSummary> RunLocalCampaign(const LocalCampaignOptions& options,
                                    std::optional<LoadedTasks> loaded);

}  // namespace allot
