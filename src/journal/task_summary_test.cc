#include "journal/task_summary.h"

#include <gtest/gtest.h>

#include "journal/journal_testing.h"

namespace allot {
namespace {

using journal_testing::EndEvent;
using journal_testing::PlainSubmission;
using journal_testing::StartEvent;

TaskEvent Transition(TaskIndex task, uint32_t attempt, TaskState from, TaskState to, int64_t at_us,
                     std::string reason = "") {
  TaskEvent e;
  e.task = task;
  e.attempt = attempt;
  e.from = from;
  e.to = to;
  e.wall_time_us = at_us;
  e.reason = std::move(reason);
  return e;
}

TEST(TaskSummaryTest, TaskWithoutEventsIsInItsInitialState) {
  JournalContents c;
  c.submissions = {PlainSubmission(0, "a"), PlainSubmission(1, "b")};
  c.submissions[1].initial_state = TaskState::kWaiting;
  std::vector<TaskSummary> s = SummarizeTasks(c);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].id, "a");
  EXPECT_EQ(s[0].state, TaskState::kReady);
  EXPECT_EQ(s[1].state, TaskState::kWaiting);
  EXPECT_EQ(s[1].submitted_us, c.submissions[1].wall_time_us);
  EXPECT_EQ(s[1].attempts, 0u);
  EXPECT_FALSE(s[1].last_exit_code.has_value());
  EXPECT_FALSE(s[1].first_start_us.has_value());
  EXPECT_FALSE(s[1].last_end_us.has_value());
}

TEST(TaskSummaryTest, RetriedTaskSumsAttemptsAndKeepsTheLastOutcome) {
  JournalContents c;
  c.submissions = {PlainSubmission(0, "sim")};
  c.events = {
      StartEvent(0, 1, 100),
      EndEvent(0, 1, 200, TaskState::kWaiting, 3),  // retry after backoff
      Transition(0, 1, TaskState::kWaiting, TaskState::kReady, 250),
      StartEvent(0, 2, 300),
      EndEvent(0, 2, 400, TaskState::kSucceeded, 0),
  };
  TaskSummary s = SummarizeTasks(c).at(0);
  EXPECT_EQ(s.state, TaskState::kSucceeded);
  EXPECT_EQ(s.attempts, 2u);
  EXPECT_EQ(s.last_attempt, 2u);
  EXPECT_EQ(s.last_exit_code, 0);
  EXPECT_EQ(s.last_reason, "") << "a task that succeeded keeps no reason of an earlier attempt";
  EXPECT_EQ(s.total_wall, std::chrono::milliseconds(3000));
  EXPECT_EQ(s.total_cpu, std::chrono::milliseconds(2600));
  EXPECT_EQ(s.max_rss_bytes, 123456789);
  EXPECT_EQ(s.first_start_us, 100);
  EXPECT_EQ(s.last_end_us, 400);
}

TEST(TaskSummaryTest, ResumeFromPausedIsNotANewAttempt) {
  JournalContents c;
  c.submissions = {PlainSubmission(0, "long")};
  c.events = {
      StartEvent(0, 1, 100),
      Transition(0, 1, TaskState::kRunning, TaskState::kPaused, 200, "in-situ pause"),
      Transition(0, 1, TaskState::kPaused, TaskState::kRunning, 300),
  };
  TaskSummary s = SummarizeTasks(c).at(0);
  EXPECT_EQ(s.state, TaskState::kRunning);
  EXPECT_EQ(s.attempts, 1u);
  EXPECT_EQ(s.first_start_us, 100);
  EXPECT_FALSE(s.last_end_us.has_value());
  EXPECT_EQ(s.last_reason, "") << "resumed: the pause's reason is over";
}

TEST(TaskSummaryTest, SignalKillRecordsSignalAndTimeout) {
  JournalContents c;
  c.submissions = {PlainSubmission(0, "slow")};
  TaskEvent killed = EndEvent(0, 1, 900, TaskState::kFailed, -1);
  killed.usage->term_signal = 15;
  killed.usage->timed_out = true;
  c.events = {StartEvent(0, 1, 100), killed};
  TaskSummary s = SummarizeTasks(c).at(0);
  EXPECT_EQ(s.last_exit_code, -1);
  EXPECT_EQ(s.last_term_signal, 15);
  EXPECT_TRUE(s.last_timed_out);
  EXPECT_EQ(s.last_end_us, 900);
}

TEST(TaskSummaryTest, LostTaskEndsItsAttemptWithoutUsage) {
  JournalContents c;
  c.submissions = {PlainSubmission(0, "x")};
  c.events = {StartEvent(0, 1, 100),
              Transition(0, 1, TaskState::kRunning, TaskState::kLost, 500, "worker n3 lost")};
  TaskSummary s = SummarizeTasks(c).at(0);
  EXPECT_EQ(s.state, TaskState::kLost);
  EXPECT_EQ(s.last_end_us, 500);
  EXPECT_FALSE(s.last_exit_code.has_value());
  EXPECT_EQ(s.total_wall, Duration(0));
}

TEST(TaskSummaryTest, CountStatesCountsEachTaskOnce) {
  JournalContents c;
  c.submissions = {PlainSubmission(0, "a"), PlainSubmission(1, "b"), PlainSubmission(2, "c")};
  c.events = {StartEvent(0, 1, 1), EndEvent(0, 1, 2, TaskState::kSucceeded, 0),
              StartEvent(1, 1, 3)};
  auto counts = CountStates(SummarizeTasks(c));
  EXPECT_EQ(counts[static_cast<int>(TaskState::kSucceeded)], 1);
  EXPECT_EQ(counts[static_cast<int>(TaskState::kRunning)], 1);
  EXPECT_EQ(counts[static_cast<int>(TaskState::kReady)], 1);
  EXPECT_EQ(counts[static_cast<int>(TaskState::kFailed)], 0);
}

}  // namespace
}  // namespace allot
