// FakeLauncherDriver: plays the event loop, the launcher and the journal around one Scheduler
// in tests. Each call feeds the scheduler one input, drains its Outbox, keeps what it emitted
// (the journal: submissions and events; the launches and signals) and returns the drained
// turn. "Processes" exist only as live executions: launched and not yet reported exited.
//
// Every drain checks, as non-fatal gtest failures, what must hold after any input:
//  - submissions get the next dense index and an initial state (waiting or ready);
//  - each event starts from the state the earlier events left its task in, is allowed by
//    CanTransition, and carries the right attempt (a start is the previous attempt + 1);
//  - after the drain, the states those events imply equal Scheduler::state() for every task,
//    so the events are exactly the transitions;
//  - each launch follows its task's -> running event, with the same CPUs;
//  - live executions never hold a CPU or GPU twice nor more memory or custom resource than the
//    machine has, and the pool's free amounts are exactly capacity minus what they hold.
//
// Restart() rebuilds a fresh Scheduler from the journal kept so far (Scheduler::Recover), as
// after `kill -9` of the embedded server: the live processes are gone with it. Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "core/outbox.h"
#include "core/scheduler.h"
#include "model/machine.h"
#include "testing/fake_clock.h"

namespace allot {

class FakeLauncherDriver {
 public:
  explicit FakeLauncherDriver(Machine machine, SchedulerOptions options = {});

  FakeClock& clock() { return clock_; }
  Scheduler& scheduler() { return *scheduler_; }
  const Scheduler& scheduler() const { return *scheduler_; }
  const Machine& machine() const { return machine_; }
  const SchedulerOptions& options() const { return options_; }

  // Scheduler::Submit, then a drain. On error, checks that nothing was emitted.
  Status Submit(std::vector<TaskSpec> specs);
  // One event-loop turn: Schedule(), then a drain.
  Outbox Turn();
  // Reports that the live attempt of task `id` exited with `exit_code`; or was killed by
  // `signal`. Fails (gtest) and returns an empty turn when the task has no live attempt.
  Outbox Exit(std::string_view id, int exit_code);
  Outbox Kill(std::string_view id, int signal);
  // Reports that `execution` exited with `usage`.
  Outbox ExitExecution(ExecutionId execution, AttemptUsage usage);
  Outbox LaunchFailed(std::string_view id, const Status& why);
  // Moves the fake clock, then OnTimersDue(), then a drain.
  Outbox Advance(Duration d);
  Outbox Stop(bool kill_now);
  // Drains whatever the scheduler emitted since the last drain.
  Outbox Drain();
  // What the latest drain returned (for Submit and Restart, which return a Status).
  const Outbox& last_turn() const { return last_turn_; }
  // A fresh Scheduler (same machine and options, or `options`) recovered from the journal
  // kept so far; live executions are dropped. Returns Recover's status.
  Status Restart();
  Status Restart(SchedulerOptions options);

  // The journal: everything persisted, across restarts.
  const std::vector<Submission>& submissions() const { return submissions_; }
  const std::vector<TaskEvent>& events() const { return events_; }
  // Every launch and signal, across restarts.
  const std::vector<LaunchOrder>& launches() const { return launches_; }
  const std::vector<SignalOrder>& signals() const { return signals_; }
  // Launched and not reported exited (and not lost to a restart), by execution id.
  const std::map<ExecutionId, LaunchOrder>& live() const { return live_; }

  // REQUIRES: a task with this id was submitted (fails the test otherwise).
  TaskIndex Index(std::string_view id) const;
  TaskState State(std::string_view id) const { return scheduler_->state(Index(id)); }
  std::string WhyWaiting(std::string_view id) const { return scheduler_->WhyWaiting(Index(id)); }
  // The live execution of `id`, or nullptr.
  const LaunchOrder* Live(std::string_view id) const;
  bool IsRunning(std::string_view id) const { return Live(id) != nullptr; }
  // Events of task `id`, in order.
  std::vector<TaskEvent> EventsOf(std::string_view id) const;
  // Signals sent to any execution of task `id`, in order.
  std::vector<int> SignalsTo(std::string_view id) const;
  // Ids of the tasks launched, in launch order, across the whole run.
  std::vector<std::string> LaunchedIds() const;
  // The task ids of a turn's launches, in launch order.
  std::vector<std::string> IdsOf(const Outbox& turn) const;

 private:
  void Check(const Outbox& turn);
  void CheckHeld();

  Machine machine_;
  SchedulerOptions options_;
  FakeClock clock_;
  std::unique_ptr<Scheduler> scheduler_;
  std::vector<Submission> submissions_;
  std::vector<TaskEvent> events_;
  std::vector<LaunchOrder> launches_;
  std::vector<SignalOrder> signals_;
  std::map<ExecutionId, LaunchOrder> live_;
  Outbox last_turn_;
  std::vector<TaskState> tracked_;  // by the events so far
  std::vector<uint32_t> tracked_attempts_;
};

}  // namespace allot
