#include "report/attempt_record.h"

#include <gtest/gtest.h>

#include "report/report_testing.h"

namespace allot {
namespace {

using report_testing::At;
using report_testing::JournalBuilder;
using report_testing::kGiB;

TEST(EndedAttemptsTest, TakesTheAllocationFromTheStartAndTheUsageFromTheEnd) {
  JournalBuilder j;
  TaskIndex t = j.Submit("sim");
  j.Start(t, 1, 10, 4, 1, 2 * kGiB).End(t, 1, 70, TaskState::kSucceeded, 60, 120, kGiB);
  std::vector<AttemptRecord> a = EndedAttempts(j.contents());
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].task, t);
  EXPECT_EQ(a[0].attempt, 1u);
  EXPECT_EQ(a[0].start_us, At(10));
  EXPECT_EQ(a[0].end_us, At(70));
  EXPECT_EQ(a[0].cores, 4);
  EXPECT_EQ(a[0].gpus, 1);
  EXPECT_EQ(a[0].memory_bytes, 2 * kGiB);
  EXPECT_TRUE(a[0].succeeded());
  EXPECT_EQ(a[0].Wall(), std::chrono::seconds(60));
  EXPECT_EQ(a[0].Cpu(), std::chrono::seconds(120));
  EXPECT_EQ(a[0].usage->max_rss_bytes, kGiB);
}

TEST(EndedAttemptsTest, LeavesOutAttemptsStillRunning) {
  JournalBuilder j;
  TaskIndex done = j.Submit("a");
  TaskIndex running = j.Submit("b");
  j.Start(done, 1, 0, 1).Start(running, 1, 0, 1).End(done, 1, 5, TaskState::kSucceeded, 5, 5);
  std::vector<AttemptRecord> a = EndedAttempts(j.contents());
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].task, done);
}

TEST(EndedAttemptsTest, APauseAndResumeIsOneAttemptHoldingItsCoresThroughout) {
  JournalBuilder j;
  TaskIndex t = j.Submit("a");
  j.Start(t, 1, 0, 2)
      .Move(t, 1, 10, TaskState::kRunning, TaskState::kPaused)
      .Move(t, 1, 20, TaskState::kPaused, TaskState::kRunning)
      .End(t, 1, 30, TaskState::kSucceeded, 30, 40);
  std::vector<AttemptRecord> a = EndedAttempts(j.contents());
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].start_us, At(0));
  EXPECT_EQ(a[0].cores, 2);
}

TEST(EndedAttemptsTest, EachRetryIsItsOwnRecordWithItsOwnOutcome) {
  JournalBuilder j;
  TaskIndex t = j.Submit("a");
  j.Start(t, 1, 0, 1).End(t, 1, 5, TaskState::kReady, 5, 1);
  j.Start(t, 2, 6, 2).End(t, 2, 9, TaskState::kSucceeded, 3, 6);
  std::vector<AttemptRecord> a = EndedAttempts(j.contents());
  ASSERT_EQ(a.size(), 2u);
  EXPECT_FALSE(a[0].succeeded());
  EXPECT_EQ(a[0].cores, 1);
  EXPECT_TRUE(a[1].succeeded());
  EXPECT_EQ(a[1].cores, 2);
  EXPECT_EQ(a[1].attempt, 2u);
}

TEST(EndedAttemptsTest, ALostAttemptWithoutUsageUsesItsJournalTimesForWall) {
  JournalBuilder j;
  TaskIndex t = j.Submit("a");
  j.Start(t, 1, 0, 1).Move(t, 1, 8, TaskState::kRunning, TaskState::kLost);
  std::vector<AttemptRecord> a = EndedAttempts(j.contents());
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].outcome, TaskState::kLost);
  EXPECT_FALSE(a[0].usage);
  EXPECT_EQ(a[0].Wall(), std::chrono::seconds(8));
  EXPECT_EQ(a[0].Cpu(), Duration(0));
}

TEST(EndedAttemptsTest, AnEndWithoutAStartInTheJournalStartsAtEndMinusWallHoldingNothing) {
  JournalBuilder j;
  TaskIndex t = j.Submit("a");
  j.End(t, 1, 50, TaskState::kFailed, 20, 10);
  std::vector<AttemptRecord> a = EndedAttempts(j.contents());
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].start_us, At(30));
  EXPECT_EQ(a[0].cores, 0);
}

}  // namespace
}  // namespace allot
