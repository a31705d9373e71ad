// The small containers of the core: ReadyQueue, TimerQueue, execution ids (outbox.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <climits>
#include <vector>

#include "core/outbox.h"
#include "core/ready_queue.h"
#include "core/timer_queue.h"

namespace allot {
namespace {

using ::testing::ElementsAre;

std::vector<TaskIndex> Order(const ReadyQueue& q) {
  std::vector<TaskIndex> out;
  for (ReadyQueue::Key k : q) out.push_back(ReadyQueue::TaskOf(k));
  return out;
}

TEST(ReadyQueueTest, OrdersByPriorityThenIndex) {
  ReadyQueue q;
  q.Push(5, 0);
  q.Push(2, 0);
  q.Push(9, 3);
  q.Push(1, -3);
  q.Push(7, 3);
  EXPECT_THAT(Order(q), ElementsAre(7, 9, 2, 5, 1));
  EXPECT_EQ(q.size(), 5u);
}

TEST(ReadyQueueTest, HandlesTheWholeIntRangeAndTheLargestIndex) {
  ReadyQueue q;
  q.Push(0xffffffffu, INT_MIN);
  q.Push(1, INT_MAX);
  q.Push(0, -1);
  q.Push(2, 0);
  q.Push(3, INT_MAX - 1);
  EXPECT_THAT(Order(q), ElementsAre(1, 3, 2, 0, 0xffffffffu));
}

TEST(ReadyQueueTest, EraseNeedsTheSamePriority) {
  ReadyQueue q;
  q.Push(1, 4);
  q.Push(2, 4);
  q.Erase(1, 5);  // not there with that priority: no effect
  EXPECT_EQ(q.size(), 2u);
  q.Erase(1, 4);
  EXPECT_THAT(Order(q), ElementsAre(2));
  q.Erase(2, 4);
  EXPECT_TRUE(q.empty());
}

TEST(TimerQueueTest, PopsDueTimersEarliestFirstAndKeepsTheRest) {
  TimerQueue q;
  const TimePoint t0{Duration(1000)};
  q.Add({t0 + Duration(30), TimerKind::kRetry, 3, 1});
  q.Add({t0 + Duration(10), TimerKind::kTimeLimit, 1, 1});
  q.Add({t0 + Duration(20), TimerKind::kKillAfterGrace, 2, 1});
  EXPECT_EQ(*q.NextDue(), t0 + Duration(10));
  EXPECT_TRUE(q.PopDue(t0 + Duration(9)).empty());
  std::vector<Timer> due = q.PopDue(t0 + Duration(20));
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].task, 1u);
  EXPECT_EQ(due[1].task, 2u);
  EXPECT_EQ(*q.NextDue(), t0 + Duration(30));
  EXPECT_EQ(q.PopDue(t0 + Duration(1000)).size(), 1u);
  EXPECT_TRUE(q.empty());
  EXPECT_FALSE(q.NextDue().has_value());
}

TEST(TimerQueueTest, TimersDueAtTheSameTimeAllFire) {
  TimerQueue q;
  const TimePoint t{Duration(5)};
  for (TaskIndex i = 0; i < 10; ++i) q.Add({t, TimerKind::kTimeLimit, i, 1});
  EXPECT_EQ(q.PopDue(t).size(), 10u);
}

TEST(ExecutionIdTest, RoundTripsTaskAndAttempt) {
  const ExecutionId id = MakeExecutionId(0xfffffffeu, 0xfffffff0u);
  EXPECT_EQ(TaskOfExecution(id), 0xfffffffeu);
  EXPECT_EQ(AttemptOfExecution(id), 0xfffffff0u);
  EXPECT_NE(MakeExecutionId(1, 2), MakeExecutionId(2, 1));
}

TEST(OutboxTest, EmptyAndClear) {
  Outbox o;
  EXPECT_TRUE(o.empty());
  o.signals.push_back({1, 9});
  EXPECT_FALSE(o.empty());
  o.Clear();
  EXPECT_TRUE(o.empty());
}

}  // namespace
}  // namespace allot
