// The task state machine: one enum and one transition table. Every accepted transition is one
// journal event; a task is never in two states and never finishes twice
// without a person's requeue in between.
//
//                 +-----------+   deps done / backoff over   +---------+
//   submit ------>|  waiting  |----------------------------->|  ready  |<---- submit (no deps)
//                 +-----------+                              +---------+
//                   |  ^    \ dep failed / skip / cancel       |  \ cancel / skip
//                   |  |     `--> skipped | canceled           |   `--> canceled | skipped
//                   |  | retry after backoff                   v
//                   |  +---------------------------------- +---------+ --> succeeded | failed
//                   |                                      | running | --> canceled
//                   +-- (never back to running directly)    +---------+ <--> paused
//                                                            |     |
//                                         preempted <--------+     +-------> lost
//                                            |  (attempt + 1)          |
//                                            +---------> ready <-------+   (or failed at the
//                                                                           crash limit)
// A retry with no backoff goes running -> ready. Terminal: succeeded, failed, canceled, skipped.
// A person may hold a waiting or ready task (-> held) and release it (held -> ready, or waiting
// while its dependencies are unfinished); a held task may be canceled or skipped (also when a
// dependency fails), never started.
// Terminal but for a person's requeue (`allot requeue`, `allot run --resume --retry-failed`):
// failed | canceled -> ready | waiting, and skipped -> waiting for the dependents skipped
// because of a requeued task. Succeeded is final. A requeued task keeps its attempts (the next
// is attempt + 1) and gets a fresh retry budget.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace allot {

enum class TaskState : uint8_t {
  kWaiting = 0,  // on dependencies, or on a retry backoff
  kReady,        // may be placed
  kRunning,
  kPaused,       // stopped (SIGSTOP); keeps its resources
  kPreempted,    // stopped by the scheduler or a shutdown; will run again with attempt + 1
  kLost,         // its worker or the server went away; will run again with attempt + 1
  kSucceeded,
  kFailed,
  kCanceled,
  kSkipped,
  kHeld,         // waiting or ready, held by a person (allot hold) until released: not started
};
inline constexpr int kTaskStateCount = 11;

// The names used in the journal, JSON output and the CLI: "waiting", "ready", ...
std::string_view TaskStateName(TaskState s);
std::optional<TaskState> ParseTaskState(std::string_view name);

bool IsTerminal(TaskState s);
// True when `from -> to` is in the transition table above.
bool CanTransition(TaskState from, TaskState to);
// True for the states a task may be submitted in (waiting, ready).
bool IsInitialState(TaskState s);

// What the states mean, asked in one place (the scheduler, the journal's readers, reports and
// the API all use these rather than lists of states of their own):
// An attempt is under way: running, or paused while running (it holds its resources).
bool IsActive(TaskState s);
// Terminal without success: failed, canceled or skipped. (A task a person skipped counts as
// unsuccessful here although its dependents proceed.)
bool IsUnsuccessful(TaskState s);
// The transition starts a new attempt (-> running, except a resume from paused).
bool StartsAttempt(TaskState from, TaskState to);
// The transition ends the attempt under way (from running or paused to anything but running
// or paused).
bool EndsAttempt(TaskState from, TaskState to);
// The transition brings a finished task back (a requeue): terminal -> waiting or ready.
bool IsRequeue(TaskState from, TaskState to);
// An attempt that ended this way tells its profile something about the task's needs: it
// ended by itself (not lost, preempted or canceled, which say nothing about the work).
bool EndTeachesProfile(TaskState to);

}  // namespace allot
