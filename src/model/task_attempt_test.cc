// TaskAttemptsOf and its JSON: one row per attempt from a task's events, pauses folded into
// their attempt, the usage and reason of the transition that ended it.
#include "model/task_attempt.h"

#include <gtest/gtest.h>

#include "model/task_attempt_json.h"

namespace allot {
namespace {

TaskEvent Event(uint32_t attempt, TaskState from, TaskState to, int64_t at) {
  TaskEvent e;
  e.attempt = attempt;
  e.from = from;
  e.to = to;
  e.wall_time_us = at;
  return e;
}

TEST(TaskAttemptTest, EachStartIsOneAttemptEndedByTheTransitionOutOfRunning) {
  using S = TaskState;
  std::vector<TaskEvent> events;
  TaskEvent start = Event(1, S::kReady, S::kRunning, 100);
  start.worker = "node1";
  start.cores = {2, 3};
  start.memory_bytes = 100 << 20;
  events.push_back(start);
  events.push_back(Event(1, S::kRunning, S::kPaused, 150));
  events.push_back(Event(1, S::kPaused, S::kRunning, 160));
  TaskEvent killed = Event(1, S::kRunning, S::kReady, 200);
  killed.usage = AttemptUsage{
      .exit_code = -1, .term_signal = 9, .max_rss_bytes = 130 << 20, .memory_exceeded = true};
  killed.memory_bytes = 256 << 20;
  killed.reason = "killed at its memory limit";
  events.push_back(killed);
  TaskEvent second = Event(2, S::kReady, S::kRunning, 300);
  second.memory_bytes = 256 << 20;
  events.push_back(second);

  std::vector<TaskAttempt> attempts = TaskAttemptsOf(events);
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].attempt, 1u);
  EXPECT_EQ(attempts[0].worker, "node1");
  EXPECT_EQ(attempts[0].memory_bytes, 100 << 20);
  EXPECT_EQ(attempts[0].ended_us, 200);
  EXPECT_EQ(attempts[0].state, S::kReady);
  ASSERT_TRUE(attempts[0].usage.has_value());
  EXPECT_TRUE(attempts[0].usage->memory_exceeded);
  EXPECT_EQ(attempts[0].reason, "killed at its memory limit");
  EXPECT_EQ(attempts[1].state, S::kRunning);
  EXPECT_FALSE(attempts[1].ended_us.has_value());
  EXPECT_EQ(attempts[1].memory_bytes, 256 << 20);
}

// The attempt's own outcome, not its task's next state: a retried timeout is a timeout, a
// memory kill that is given more memory is memory-killed, a retried failure is failed.
TEST(TaskAttemptTest, EachAttemptCarriesHowItEndedNotWhereItsTaskWentNext) {
  using S = TaskState;
  auto ended = [](uint32_t attempt, S to, AttemptUsage usage) {
    TaskEvent e = Event(attempt, S::kRunning, to, attempt * 100 + 50);
    e.usage = usage;
    return e;
  };
  std::vector<TaskEvent> events;
  for (uint32_t n = 1; n <= 5; ++n) events.push_back(Event(n, S::kReady, S::kRunning, n * 100));
  events.insert(events.begin() + 1,
                ended(1, S::kWaiting, {.exit_code = -1, .term_signal = 15, .timed_out = true}));
  events.insert(events.begin() + 3, ended(2, S::kReady, {.exit_code = -1, .term_signal = 9,
                                                          .memory_exceeded = true}));
  events.insert(events.begin() + 5, ended(3, S::kWaiting, {.exit_code = 1}));
  TaskEvent lost = Event(4, S::kRunning, S::kLost, 450);
  events.insert(events.begin() + 7, lost);
  events.push_back(ended(5, S::kSucceeded, {.exit_code = 0}));

  std::vector<TaskAttempt> attempts = TaskAttemptsOf(events);
  ASSERT_EQ(attempts.size(), 5u);
  EXPECT_EQ(attempts[0].outcome, AttemptEnd::kTimeout);
  EXPECT_EQ(attempts[0].state, S::kWaiting) << "where the task went is kept as well";
  EXPECT_EQ(attempts[1].outcome, AttemptEnd::kMemoryKilled);
  EXPECT_EQ(attempts[2].outcome, AttemptEnd::kFailed);
  EXPECT_EQ(attempts[3].outcome, AttemptEnd::kLost);
  EXPECT_EQ(attempts[4].outcome, AttemptEnd::kSucceeded);
  EXPECT_EQ(TaskAttemptToJson(attempts[0], "sim")["outcome"], "timeout");
  EXPECT_EQ(TaskAttemptToJson(attempts[1], "sim")["outcome"], "memory-killed");
}

TEST(TaskAttemptTest, OutcomeOfEveryKindOfEnd) {
  using S = TaskState;
  TaskEvent e = Event(1, S::kRunning, S::kCanceled, 10);
  e.usage = AttemptUsage{.exit_code = -1, .term_signal = 15, .timed_out = true};
  EXPECT_EQ(AttemptEndOf(e), AttemptEnd::kCanceled) << "a cancel wins over the limit";
  e.to = S::kPreempted;
  EXPECT_EQ(AttemptEndOf(e), AttemptEnd::kPreempted);
  e.to = S::kFailed;
  EXPECT_EQ(AttemptEndOf(e), AttemptEnd::kTimeout);
  e.from = S::kPaused;
  EXPECT_EQ(AttemptEndOf(e), AttemptEnd::kTimeout);
  e.usage = AttemptUsage{.exit_code = 127};
  EXPECT_EQ(AttemptEndOf(e), AttemptEnd::kFailed);
  EXPECT_EQ(AttemptEndName(AttemptEnd::kMemoryKilled), "memory-killed");
  EXPECT_EQ(AttemptEndName(AttemptEnd::kTimeout), "timeout");
}

TEST(TaskAttemptJsonTest, CarriesMeanAndPeakCoresAndLeavesUsageOutWhileRunning) {
  TaskAttempt a;
  a.attempt = 2;
  a.started_us = 10;
  a.ended_us = 20;
  a.state = TaskState::kSucceeded;
  a.usage = AttemptUsage{.exit_code = 0,
                         .wall = std::chrono::seconds(2),
                         .user_cpu = std::chrono::milliseconds(2500),
                         .sys_cpu = std::chrono::milliseconds(500),
                         .max_rss_bytes = 42,
                         .read_bytes = 7,
                         .write_bytes = 8,
                         .peak_cores = 1.9};
  nlohmann::json j = TaskAttemptToJson(a, "sim");
  EXPECT_EQ(j["execution"], "sim@2");
  EXPECT_EQ(j["state"], "succeeded");
  EXPECT_DOUBLE_EQ(j["cpu_s"].get<double>(), 3.0);
  EXPECT_DOUBLE_EQ(j["mean_cores"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(j["peak_cores"].get<double>(), 1.9);
  EXPECT_EQ(j["max_rss"], 42);
  EXPECT_EQ(j["read_bytes"], 7);
  EXPECT_EQ(j["write_bytes"], 8);
  EXPECT_EQ(j["memory_exceeded"], false);
  EXPECT_EQ(j["exit_code"], 0);

  TaskAttempt running;
  running.attempt = 3;
  nlohmann::json r = TaskAttemptToJson(running, "sim");
  EXPECT_FALSE(r.contains("cpu_s"));
  EXPECT_FALSE(r.contains("ended_us"));
  EXPECT_EQ(r["state"], "running");
}

}  // namespace
}  // namespace allot
