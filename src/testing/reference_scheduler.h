// ReferenceScheduler: a naive model of the Scheduler's contract, for model-based tests (like
// LevelDB's ModelDB). It is fed the same inputs as the real Scheduler plus what the real one
// drained for them, predicts every task's state and attempt counter, the signals and the
// recovery, and checks them as non-fatal gtest failures. It does not place tasks: it accepts the
// real scheduler's launches after checking that they are allowed (ready, every dependency
// succeeded, attempt + 1, nothing ready ahead of them that fits and is left waiting).
//
// Its rules, written plainly on purpose:
//  - a submitted task is ready when all its dependencies succeeded, else waiting; a task with a
//    dependency failed, skipped or canceled is skipped ("dependency '<id>' <state>");
//  - an attempt told to stop (Stop) is preempted whatever it exits with; otherwise one exiting
//    0, unsignalled and not timed out succeeds, and any other is failure number f
//    (interruptions are not failures), retried when f <= max_retries after DelayBeforeRetry(f)
//    (at once when that is 0), else failed;
//  - time limit L, grace G: SIGTERM at the first timer check at or after start + L, SIGKILL at
//    the first check at or after (that check + G); Stop(false): SIGTERM to the running ones not
//    yet signalled, SIGKILL at stop + G; Stop(true): SIGKILL now;
//  - recovery: running -> lost; lost/preempted -> ready, or failed past crash_limit
//    interruptions; waiting with all dependencies succeeded -> ready; skips propagate.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/outbox.h"
#include "core/resource_pool.h"
#include "core/scheduler.h"
#include "model/machine.h"
#include "model/task_spec.h"

namespace allot {

class ReferenceScheduler {
 public:
  ReferenceScheduler(Machine machine, SchedulerOptions options);

  // Whether the real scheduler must accept `specs` (duplicate ids, unknown dependencies, cycles
  // and requests the machine can never hold are refused). When accepted, takes them in and
  // checks `turn` (the drained Submit).
  bool WouldAccept(const std::vector<TaskSpec>& specs) const;
  void Submitted(const std::vector<TaskSpec>& specs, const Outbox& turn);
  // A Schedule() turn: checks and applies its launches.
  void Scheduled(const Outbox& turn, const ResourceAmounts& free_after, TimePoint now);
  // OnAttemptExited / OnLaunchFailed of a live execution at `now`.
  void Exited(ExecutionId execution, const AttemptUsage& usage, TimePoint now, const Outbox& turn);
  void LaunchFailed(ExecutionId execution, TimePoint now, const Outbox& turn);
  // OnTimersDue() at `now`.
  void TimersDue(TimePoint now, const Outbox& turn);
  void Stopped(bool kill_now, TimePoint now, const Outbox& turn);
  // A fresh scheduler recovered from the journal; `turn` is what its Recover emitted.
  void Restarted(const Outbox& turn);

  // Every task's state and attempt counter equal the real ones.
  void ExpectMatches(const Scheduler& real) const;
  // What Restarted() would predict, without changing this model.
  void ExpectRecoveredMatches(const Scheduler& recovered) const;

  bool stopping() const { return stopping_; }
  size_t task_count() const { return tasks_.size(); }
  bool Known(const std::string& id) const { return index_.count(id) > 0; }
  const std::vector<std::string>& ids() const { return ids_; }
  std::vector<ExecutionId> Live() const;
  bool AllTerminal() const;

 private:
  struct Task {
    TaskSpec spec;
    std::vector<TaskIndex> deps;
    std::vector<TaskIndex> dependents;
    TaskState state = TaskState::kWaiting;
    uint32_t attempts = 0;
    int crashes = 0;
    int failures = 0;
    std::optional<TimePoint> retry_due;
    // The live attempt.
    bool live = false;
    TimePoint started;
    bool limit_fired = false;
    bool term_sent = false;
    bool timed_out = false;
    bool stop_sent = false;
    std::multiset<TimePoint> kill_due;
  };

  bool DepsSucceeded(const Task& t) const;
  // Skips every waiting/ready task with a dependency failed, skipped or canceled, to a fixpoint;
  // checks the reasons in `turn` when given.
  void PropagateSkips(const Outbox* turn);
  void EndAttempt(TaskIndex i, const AttemptUsage& usage, bool launch_failed, TimePoint now,
                  const Outbox& turn);
  void EndLive(Task& t);
  void ApplyRecovery();
  const TaskEvent* FirstEventOf(const Outbox& turn, TaskIndex t) const;

  Machine machine_;
  SchedulerOptions options_;
  ResourceAmounts capacity_;
  std::vector<Task> tasks_;
  std::vector<std::string> ids_;
  std::unordered_map<std::string, TaskIndex> index_;
  bool stopping_ = false;
};

}  // namespace allot
