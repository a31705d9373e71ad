// AllocationService: automatic allocations in a running server (`allot alloc`, issue 15): the
// AllocationManager (allocation_manager.h) driven from a thread of its own, so that sbatch,
// squeue and scancel never hold up the event loop.
//
// The loop thread (LoopObserver::OnTurn) takes a snapshot every `interval`, and at once when
// work starts waiting or a queue changes: the ready tasks' needs (Scheduler::WaitingWork) and
// the connected workers by the Slurm job they run in, with how long each has been idle. The
// service thread plans and acts on it. What the server must not forget across a restart (the
// queues, their pause and failures, the allocations it submitted) is journaled as one meta
// value, through `persist`, before a change is answered; the events of `allot alloc events`
// (each submission with why, and each change in why not) are appended to
// <server dir>/alloc-events.jsonl and kept in memory, numbered.
//
// Thread-safety: the LoopObserver calls on the loop thread; Add, List, Control and Events from
// any other thread (HTTP); Start and Stop from the thread that owns the service.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/result.h"
#include "common/thread_annotations.h"
#include "server/alloc_requests.h"
#include "server/allocation_manager.h"
#include "server/server_loop.h"

namespace allot {

// One connected worker as the loop sees it.
struct AllocWorkerView {
  uint64_t id = 0;
  std::string slurm_job;  // "" outside Slurm
  int running = 0;        // attempts on it
};

// What the service reads of the loop, on the loop thread: cheap ones every turn, the waiting
// work (O(ready tasks)) only when it plans.
struct AllocLoopSource {
  std::function<std::vector<AllocWorkerView>()> workers;
  std::function<size_t()> ready_count;
  std::function<std::vector<WaitingTask>()> waiting;
};

struct AllocServiceOptions {
  std::string server_dir;    // absolute; the events file lives there
  std::string allot_binary;  // absolute; what the allocations' workers run
  Duration interval = std::chrono::seconds(10);  // Slurm is asked at most this often
};

class AllocationService final : public LoopObserver {
 public:
  // Makes the state durable (the journal's meta) and returns once it is. Any thread but the
  // loop's.
  using Persist = std::function<Status(const std::string& state)>;

  AllocationService(const Clock* clock, CommandRunner run, Persist persist,
                    AllocLoopSource source, AllocServiceOptions options);
  ~AllocationService() override;

  // Before Start: what to do before an idle allocation is cancelled (drain its workers on the
  // loop thread; AllocationManager's ReleaseGuard).
  void set_release_guard(ReleaseGuard guard) {
    std::lock_guard<std::mutex> l(manager_mu_);
    manager_.set_release_guard(std::move(guard));
  }
  // Before Start: the journaled state (may be empty: none) and the events file.
  Status Restore(const std::string& state);
  void Start();
  // Joins the thread; a tick in progress finishes its command first.
  void Stop();

  // {queue} once durable, or {dry_run: true, slurm: "..."} for a dry run.
  Result<nlohmann::json> Add(const AllocAddRequest& request);
  // {queues: [...]}
  Result<nlohmann::json> List();
  // action: pause, resume, remove (force: cancel its allocations). {queue: name, action}.
  Result<nlohmann::json> Control(const std::string& queue, const std::string& action,
                                 bool force);
  // {events: [...], last: SEQ}: those after `since`, of `queue` ("" all), at most `limit`.
  Result<nlohmann::json> Events(const std::string& queue, int64_t since, size_t limit);

  // LoopObserver.
  void OnTurn() override;
  std::optional<TimePoint> NextDue() const override;

 private:
  void ThreadMain();
  // Under manager_mu_: the manager's events to the file and memory; its state, when changed,
  // to the journal.
  Status Publish() REQUIRES(manager_mu_);
  void LoadEvents();
  void AppendEvents(const std::vector<AllocEvent>& events);
  // Loop thread: the workers by Slurm job, all idle since when (idle_since_ kept up to date).
  std::map<std::string, JobWorkers> ByJob(TimePoint now);

  struct Snapshot {
    std::vector<WaitingTask> waiting;
    std::map<std::string, JobWorkers> by_job;
  };

  const Clock* clock_;
  Persist persist_;
  AllocLoopSource source_;
  AllocServiceOptions options_;
  std::string events_path_;

  std::mutex manager_mu_;
  AllocationManager manager_ GUARDED_BY(manager_mu_);
  std::string persisted_ GUARDED_BY(manager_mu_);

  std::mutex events_mu_;
  std::deque<nlohmann::json> events_;  // the newest kMaxEvents
  int64_t last_seq_ = 0;

  // Loop thread -> service thread.
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<Snapshot> pending_;
  bool stop_ = false;
  std::thread thread_;

  // Loop thread only.
  std::atomic<bool> has_queues_{false};
  std::atomic<bool> tick_now_{false};
  TimePoint next_tick_{};
  size_t last_ready_ = 0;
  TimePoint last_quick_{};
  std::map<uint64_t, TimePoint> idle_since_;  // by worker id
};

}  // namespace allot
