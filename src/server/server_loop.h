// ServerLoop: THE event loop of the server, for both of its forms. `allot run` is this loop
// with a LocalChannel (campaign_runner.h); `allot server start` is this loop with a ZmqChannel
// and the HTTP API (cluster_server.h). The loop owns the turn: signals, calls posted by other
// threads, the commit-before-act flush, timers and the end; the channel owns the workers.
//
// One turn:
//  1. wait until a channel PollSource, the signalfd or the wake fd (posted calls) is readable,
//     or the next deadline (timers, the channel's, the observers') is due;
//  2. signals: the first SIGINT/SIGTERM/SIGHUP stops dispatching, SIGTERM to every attempt,
//     SIGKILL after its grace period; the next one SIGKILLs at once;
//  3. run the posted calls; the channel's Receive (exits, workers, liveness, sampling);
//  4. fire due timers, let the scheduler place tasks;
//  5. append the turn's submissions and transitions to the journal and commit them once
//     (group commit). A failed commit stops everything: nothing is launched any more, every
//     attempt is killed, the loop ends once none runs, and the outcome says why;
//  6. the channel acts on the outbox (launches, signals) and sends what it batched; the posted
//     calls get their answers (so no answer reports a change that is not durable) and threads
//     waiting for a commit (long polls) wake.
// It ends when every task is terminal (LoopOptions::exit_when_done, `allot run`; not while it
// is held open), or when it was stopped and no attempt runs any more; then the channel shuts
// down.
//
// Time comes from the injected Clock (deadlines, long polls), never from a sleep.
// Thread-safety: Run, Recover, BeginStop and the setters on the loop thread (the one that
// created it); Call, WaitForCommit, committed_events and closing from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/thread_annotations.h"
#include "common/result.h"
#include "core/scheduler.h"
#include "server/scheduler_recovery.h"
#include "journal/journal_store.h"
#include "server/prometheus_text.h"
#include "server/worker_channel.h"

namespace allot {

struct LoopOptions {
  // End when every task is terminal (`allot run`); a server serves until it is stopped.
  bool exit_when_done = false;
  // The longest wait without a deadline.
  Duration max_wait = std::chrono::seconds(60);
};

struct LoopOutcome {
  int stop_signal = 0;   // the first signal that stopped the loop; 0 if none
  Status journal_error;  // why the journal stopped accepting writes, if it did
  Duration wall{0};
};

// Sees every turn of the loop (the progress line of `allot run`, the metrics of the server).
// Called on the loop thread.
class LoopObserver {
 public:
  virtual ~LoopObserver() = default;
  // The turn's submissions and transitions, once committed (durable) or, after the journal
  // failed, dropped (not durable: a restart will not know them).
  virtual void OnEvents(std::span<const Submission> submissions,
                        std::span<const TaskEvent> events, bool durable) {}
  // At the end of every turn.
  virtual void OnTurn() {}
  // When the observer needs a turn even if nothing happens.
  virtual std::optional<TimePoint> NextDue() const { return std::nullopt; }
};

// Durations of the loop's own work, for /metrics. Loop thread.
struct LoopStats {
  Histogram commit_seconds{{1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 0.01, 0.05, 0.1, 0.5, 1}};
  Histogram schedule_seconds{{1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 0.01, 0.05, 0.1, 0.5, 1}};
};

class ServerLoop {
 public:
  // Blocks SIGINT, SIGTERM and SIGHUP in the calling thread, and so in every thread it starts
  // later (create the loop before any other thread): they are read from a signalfd. The
  // scheduler, journal and clock must outlive the loop. IoError when the signalfd or eventfd
  // cannot be made.
  static Result<std::unique_ptr<ServerLoop>> Create(Scheduler* scheduler, JournalStore* journal,
                                                    const Clock* clock, LoopOptions options);
  // Blocks SIGINT, SIGTERM and SIGHUP in the calling thread. A composition root that starts
  // threads before it creates its loop (ZeroMQ, HTTP) calls this first.
  static Status BlockStopSignals();
  ~ServerLoop();
  ServerLoop(const ServerLoop&) = delete;
  ServerLoop& operator=(const ServerLoop&) = delete;

  // REQUIRES: before Run; `channel` outlives the loop.
  void set_channel(WorkerChannel* channel) { channel_ = channel; }
  // REQUIRES: before Run; `observer` outlives the loop.
  void AddObserver(LoopObserver* observer) { observers_.push_back(observer); }
  // Lines for people (signals, journal failure). Default: stderr, prefixed "allot: ".
  void set_log(std::function<void(const std::string&)> log) { log_ = std::move(log); }

  // Rebuilds the scheduler from everything the journal holds (RecoverFromJournal; each chunk of
  // replayed events also goes to `on_replayed`) and commits what that settled. REQUIRES: before
  // Run, nothing submitted.
  Result<RecoveredCounts> Recover(
      RecoverMode mode, std::function<void(std::span<const TaskEvent>)> on_replayed = nullptr);

  // Runs turns until the end (see above). An error only for a broken event loop.
  Result<LoopOutcome> Run();

  // Stops dispatching; SIGTERM to every attempt (SIGKILL after its grace period), or SIGKILL
  // at once when `kill` (or when stopping already). Loop thread.
  void BeginStop(bool kill);
  bool stopping() const { return stopping_; }
  // While held open, exit_when_done waits even when every task is terminal: more may still
  // arrive (the submission feed of `allot run`, submission_feed.h). A stop ends the loop all
  // the same. Loop thread.
  void set_held_open(bool held) { held_open_ = held; }

  // Runs `fn` on the loop thread between turns and returns its answer once the turn that ran
  // it committed (Unavailable when the loop has ended or ends first). Any thread but the loop's.
  Result<nlohmann::json> Call(std::function<Result<nlohmann::json>()> fn);
  // Transitions committed so far (the journal's event count, from Recover on).
  int64_t committed_events() const { return committed_events_.load(); }
  // Blocks until more than `after` transitions are committed, the loop ends, or `timeout` (on
  // the loop's clock) passes. Returns committed_events(). Any thread but the loop's.
  int64_t WaitForCommit(int64_t after, Duration timeout);
  // The same, also ending when more than `after_metrics` metrics are committed (counted since
  // this loop started: a caller compares with committed_metrics()).
  int64_t WaitForCommit(int64_t after, int64_t after_metrics, Duration timeout);
  int64_t committed_metrics() const { return committed_metrics_.load(); }
  // True once the loop ended (or is ending): calls are refused, waits return.
  bool closing() const { return closing_.load(); }

  const LoopStats& stats() const { return stats_; }

 private:
  ServerLoop(Scheduler* scheduler, JournalStore* journal, const Clock* clock,
             LoopOptions options);
  Status Setup();
  void HandleSignals();
  void RunCalls();
  void Flush();
  void Answer();
  void Close();
  int TimeoutMillis() const;
  bool Finished() const;

  Scheduler* scheduler_;
  JournalStore* journal_;
  const Clock* clock_;
  LoopOptions options_;
  WorkerChannel* channel_ = nullptr;
  std::vector<LoopObserver*> observers_;
  std::function<void(const std::string&)> log_;
  LoopStats stats_;
  int signal_fd_ = -1;
  int wake_fd_ = -1;
  bool stopping_ = false;
  bool held_open_ = false;
  LoopOutcome outcome_;

  // Calls posted by other threads, and their answers (given after the turn's commit).
  struct Pending {
    std::function<Result<nlohmann::json>()> fn;
    std::shared_ptr<std::promise<Result<nlohmann::json>>> reply;
  };
  std::mutex calls_mu_;
  std::vector<Pending> calls_ GUARDED_BY(calls_mu_);
  std::vector<std::pair<std::shared_ptr<std::promise<Result<nlohmann::json>>>,
                        Result<nlohmann::json>>>
      answers_;  // loop thread

  // Commits, for long polls.
  std::mutex commit_mu_;
  std::condition_variable commit_cv_;
  std::atomic<int64_t> committed_events_{0};
  std::atomic<int64_t> committed_metrics_{0};
  std::atomic<bool> closing_{false};
};

}  // namespace allot
