#include "model/task_state.h"

#include <array>

namespace allot {
namespace {

constexpr std::array<std::string_view, kTaskStateCount> kNames = {
    "waiting", "ready", "running", "paused", "preempted",
    "lost", "succeeded", "failed", "canceled", "skipped", "held"};

constexpr int I(TaskState s) { return static_cast<int>(s); }

using Row = std::array<bool, kTaskStateCount>;
using Table = std::array<Row, kTaskStateCount>;

constexpr Table BuildTable() {
  Table t{};
  using S = TaskState;
  auto allow = [&t](S from, S to) { t[I(from)][I(to)] = true; };
  allow(S::kWaiting, S::kReady);
  allow(S::kWaiting, S::kSkipped);
  allow(S::kWaiting, S::kCanceled);
  allow(S::kWaiting, S::kFailed);    // e.g. no worker can ever fit it
  allow(S::kWaiting, S::kHeld);      // held by a person
  allow(S::kReady, S::kHeld);
  allow(S::kHeld, S::kWaiting);      // released, dependencies unfinished
  allow(S::kHeld, S::kReady);        // released
  allow(S::kHeld, S::kCanceled);
  allow(S::kHeld, S::kSkipped);      // skipped, or a dependency failed
  allow(S::kReady, S::kRunning);
  allow(S::kReady, S::kCanceled);
  allow(S::kReady, S::kSkipped);
  allow(S::kReady, S::kFailed);
  allow(S::kRunning, S::kSucceeded);
  allow(S::kRunning, S::kFailed);
  allow(S::kRunning, S::kCanceled);
  allow(S::kRunning, S::kPaused);
  allow(S::kRunning, S::kPreempted);
  allow(S::kRunning, S::kLost);
  allow(S::kRunning, S::kWaiting);   // retry after a backoff
  allow(S::kRunning, S::kReady);     // retry at once
  allow(S::kPaused, S::kRunning);
  allow(S::kPaused, S::kCanceled);
  allow(S::kPaused, S::kLost);
  allow(S::kPaused, S::kPreempted);
  allow(S::kPreempted, S::kReady);
  allow(S::kPreempted, S::kFailed);
  allow(S::kPreempted, S::kCanceled);
  allow(S::kLost, S::kReady);
  allow(S::kLost, S::kFailed);
  allow(S::kLost, S::kCanceled);
  // A person's requeue (Slurm's `scontrol requeue`): a failed or canceled task runs again, and
  // the dependents skipped because of it wait for it again.
  allow(S::kFailed, S::kReady);
  allow(S::kFailed, S::kWaiting);
  allow(S::kCanceled, S::kReady);
  allow(S::kCanceled, S::kWaiting);
  allow(S::kSkipped, S::kWaiting);
  return t;
}

constexpr Table kTable = BuildTable();

}  // namespace

std::string_view TaskStateName(TaskState s) { return kNames[I(s)]; }

std::optional<TaskState> ParseTaskState(std::string_view name) {
  for (int i = 0; i < kTaskStateCount; ++i) {
    if (kNames[i] == name) return static_cast<TaskState>(i);
  }
  return std::nullopt;
}

bool IsTerminal(TaskState s) {
  return s == TaskState::kSucceeded || s == TaskState::kFailed || s == TaskState::kCanceled ||
         s == TaskState::kSkipped;
}

bool CanTransition(TaskState from, TaskState to) { return kTable[I(from)][I(to)]; }

bool IsInitialState(TaskState s) { return s == TaskState::kWaiting || s == TaskState::kReady; }

bool IsActive(TaskState s) { return s == TaskState::kRunning || s == TaskState::kPaused; }

bool IsUnsuccessful(TaskState s) {
  return s == TaskState::kFailed || s == TaskState::kCanceled || s == TaskState::kSkipped;
}

bool StartsAttempt(TaskState from, TaskState to) {
  return to == TaskState::kRunning && from != TaskState::kPaused;
}

bool EndsAttempt(TaskState from, TaskState to) { return IsActive(from) && !IsActive(to); }

bool IsRequeue(TaskState from, TaskState to) { return IsTerminal(from) && !IsTerminal(to); }

bool EndTeachesProfile(TaskState to) {
  return to != TaskState::kLost && to != TaskState::kPreempted && to != TaskState::kCanceled &&
         !IsActive(to);
}

}  // namespace allot
