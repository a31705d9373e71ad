// The one transition table (model/task_state.h), pinned from the scheduler's side: the
// transitions the core relies on are allowed, the ones it must never make are not. (Lives with
// the core tests because the core is what the table constrains.)
#include <gtest/gtest.h>

#include <set>
#include <utility>

#include "model/task_state.h"

namespace allot {
namespace {

using S = TaskState;

std::vector<S> AllStates() {
  std::vector<S> all;
  for (int i = 0; i < kTaskStateCount; ++i) all.push_back(static_cast<S>(i));
  return all;
}

TEST(TransitionTableTest, ExactlyTheDocumentedTransitionsAreAllowed) {
  const std::set<std::pair<S, S>> allowed = {
      {S::kWaiting, S::kReady},     {S::kWaiting, S::kSkipped},    {S::kWaiting, S::kCanceled},
      {S::kWaiting, S::kFailed},    {S::kReady, S::kRunning},      {S::kReady, S::kCanceled},
      {S::kReady, S::kSkipped},     {S::kReady, S::kFailed},       {S::kRunning, S::kSucceeded},
      {S::kRunning, S::kFailed},    {S::kRunning, S::kCanceled},   {S::kRunning, S::kPaused},
      {S::kRunning, S::kPreempted}, {S::kRunning, S::kLost},       {S::kRunning, S::kWaiting},
      {S::kRunning, S::kReady},     {S::kPaused, S::kRunning},     {S::kPaused, S::kCanceled},
      {S::kPaused, S::kLost},       {S::kPaused, S::kPreempted},   {S::kPreempted, S::kReady},
      {S::kPreempted, S::kFailed},  {S::kPreempted, S::kCanceled}, {S::kLost, S::kReady},
      {S::kLost, S::kFailed},       {S::kLost, S::kCanceled},
      // A person's hold and release of a queued task.
      {S::kWaiting, S::kHeld},      {S::kReady, S::kHeld},         {S::kHeld, S::kWaiting},
      {S::kHeld, S::kReady},        {S::kHeld, S::kCanceled},      {S::kHeld, S::kSkipped},
      // A person's requeue of a task that failed or was canceled, and of its skipped dependents.
      {S::kFailed, S::kReady},      {S::kFailed, S::kWaiting},     {S::kCanceled, S::kReady},
      {S::kCanceled, S::kWaiting},  {S::kSkipped, S::kWaiting},
  };
  for (S from : AllStates()) {
    for (S to : AllStates()) {
      EXPECT_EQ(CanTransition(from, to), allowed.count({from, to}) == 1)
          << TaskStateName(from) << " -> " << TaskStateName(to);
    }
  }
}

TEST(TransitionTableTest, TerminalStatesLeadOnlyBackToTheQueueByARequeue) {
  for (S from : AllStates()) {
    if (!IsTerminal(from)) continue;
    for (S to : AllStates()) {
      if (!CanTransition(from, to)) continue;
      EXPECT_TRUE(IsRequeue(from, to)) << TaskStateName(from) << " -> " << TaskStateName(to);
      EXPECT_TRUE(to == S::kWaiting || to == S::kReady) << TaskStateName(to);
    }
  }
  for (S to : AllStates()) EXPECT_FALSE(CanTransition(S::kSucceeded, to)) << TaskStateName(to);
  int terminal = 0;
  for (S s : AllStates()) terminal += IsTerminal(s) ? 1 : 0;
  EXPECT_EQ(terminal, 4);
}

TEST(TransitionTableTest, NothingEntersWaitingButARetryAReleaseOrARequeue) {
  for (S s : AllStates()) EXPECT_FALSE(CanTransition(s, s)) << TaskStateName(s);
  for (S from : AllStates()) {
    if (from == S::kRunning || from == S::kHeld || IsTerminal(from)) continue;
    EXPECT_FALSE(CanTransition(from, S::kWaiting)) << TaskStateName(from);
  }
}

TEST(TransitionTableTest, OnlyReadyOrPausedTasksStartRunning) {
  for (S from : AllStates()) {
    EXPECT_EQ(CanTransition(from, S::kRunning), from == S::kReady || from == S::kPaused)
        << TaskStateName(from);
  }
}

TEST(TransitionTableTest, NamesRoundTripAndInitialStatesAreWaitingAndReady) {
  for (S s : AllStates()) {
    EXPECT_EQ(ParseTaskState(TaskStateName(s)), s);
    EXPECT_EQ(IsInitialState(s), s == S::kWaiting || s == S::kReady);
  }
  EXPECT_FALSE(ParseTaskState("done").has_value());
}

}  // namespace
}  // namespace allot
