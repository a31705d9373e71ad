// CampaignRunner: `allot run`'s form of the server: the one ServerLoop (server_loop.h) with a
// LocalChannel (local_channel.h), so the embedded worker is this process and no port is
// opened, plus what a person watching sees (the progress line, a line per task that fails) and
// the outcome a summary is made of.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "core/scheduler.h"
#include "exec/process_launcher.h"
#include "journal/journal_store.h"
#include "server/failure_injection.h"
#include "server/progress_reporter.h"
#include "server/submission_feed.h"
#include "worker/local_worker.h"

namespace allot {

struct FailedTask {
  std::string id;
  std::string state;   // failed, skipped or canceled
  std::string reason;
};

struct RunOutcome {
  int stop_signal = 0;        // the first signal that stopped the run; 0 if none
  // The run stopped because its allocation ends (CampaignRunner::set_stop_at); when, on the
  // wall clock (microseconds since the epoch).
  bool allocation_ended = false;
  int64_t allocation_end_wall_us = 0;
  Status journal_error;       // why the journal stopped accepting writes, if it did
  Duration wall{0};
  CampaignTotals totals_before;          // of attempts ended before this run (from the journal)
  std::vector<FailedTask> unsuccessful;  // the first kMaxListed tasks that did not succeed
  static constexpr size_t kMaxListed = 1000;
};

class CampaignRunner {
 public:
  // All pointers must outlive the runner.
  CampaignRunner(Scheduler* scheduler, JournalStore* journal, ProcessLauncher* launcher,
                 LocalWorker* worker, const Clock* clock, ProgressReporter* progress);

  // Also take submissions and report task ends over `feed` (submission_feed.h; its log and
  // task_dir are filled in here). REQUIRES: before Run.
  void set_feed(FeedOptions feed) { feed_ = std::move(feed); }
  // The allocation ends at `end_wall_us` (wall clock): at `stop_at` (on the loop's clock, a
  // margin before it) the run stops as SIGTERM stops it — nothing more starts, running
  // attempts get SIGTERM and their grace period and become preempted, to run again on
  // --resume — and the outcome says the allocation ended. REQUIRES: before Run.
  void set_stop_at(TimePoint stop_at, int64_t end_wall_us) {
    stop_at_ = stop_at;
    end_wall_us_ = end_wall_us;
  }

  // Break things on purpose while it runs (--inject-failures; failure_injection.h).
  // REQUIRES: before Run.
  void set_failure_injection(FailureInjection f) { inject_ = f; }

  // Runs until every task is terminal or a stop completes. Blocks SIGINT, SIGTERM and SIGHUP
  // in the calling thread (they are read from a signalfd). Errors only for a broken event
  // loop; journal failures are reported in the outcome.
  Result<RunOutcome> Run();

 private:
  Scheduler* scheduler_;
  JournalStore* journal_;
  ProcessLauncher* launcher_;
  LocalWorker* worker_;
  const Clock* clock_;
  ProgressReporter* progress_;
  std::optional<FeedOptions> feed_;
  std::optional<TimePoint> stop_at_;
  int64_t end_wall_us_ = 0;
  std::optional<FailureInjection> inject_;
};

}  // namespace allot
