// CampaignRunner: the event loop of `allot run`, the embedded form of the server: one thread
// owns the Scheduler and drives it with real processes, a real journal and the real clock.
//
// One loop turn:
//  1. collect exited attempts from the launcher; fire due timers; let the scheduler choose;
//  2. append the turn's submissions and transitions to the journal and commit them once
//     (group commit) — nothing is launched before the transition that starts it is durable;
//  3. launch and signal as the scheduler ordered;
//  4. sleep in epoll until a child exits, a signal arrives or the next deadline is due (the
//     launcher's usage sampling among them: a due sample is taken first thing in a turn).
// SIGTERM/SIGINT/SIGHUP: stop dispatching, SIGTERM the tasks, SIGKILL after their grace period;
// a second signal SIGKILLs at once. A journal failure stops everything the same way.
#pragma once

#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "core/scheduler.h"
#include "exec/process_launcher.h"
#include "journal/journal_store.h"
#include "server/progress_reporter.h"
#include "worker/local_worker.h"

namespace allot {

struct FailedTask {
  std::string id;
  std::string state;   // failed, skipped or canceled
  std::string reason;
};

struct RunOutcome {
  int stop_signal = 0;        // the first signal that stopped the run; 0 if none
  Status journal_error;       // why the journal stopped accepting writes, if it did
  Duration wall{0};
  CampaignTotals totals_before;          // of attempts ended before this run (from the journal)
  std::vector<FailedTask> unsuccessful;  // the first kMaxListed tasks that did not succeed
  static constexpr size_t kMaxListed = 1000;
};

class CampaignRunner {
 public:
  // All pointers must outlive the runner. Blocks SIGINT, SIGTERM and SIGHUP in the calling
  // thread (they are read from a signalfd instead).
  CampaignRunner(Scheduler* scheduler, JournalStore* journal, ProcessLauncher* launcher,
                 LocalWorker* worker, const Clock* clock, ProgressReporter* progress);
  ~CampaignRunner();

  // Runs until every task is terminal or a stop completes. Errors only for a broken event
  // loop (epoll/signalfd); journal failures are reported in the outcome.
  Result<RunOutcome> Run();

 private:
  Status Setup();
  void Flush();
  void Act();
  void HandleSignals();
  void SendSignal(const SignalOrder& order);
  int TimeoutMillis() const;

  Scheduler* scheduler_;
  JournalStore* journal_;
  ProcessLauncher* launcher_;
  LocalWorker* worker_;
  const Clock* clock_;
  ProgressReporter* progress_;
  int epoll_fd_ = -1;
  int signal_fd_ = -1;
  RunOutcome outcome_;
  bool journal_ok_ = true;
  std::vector<ProcessExit> exits_;
};

}  // namespace allot
