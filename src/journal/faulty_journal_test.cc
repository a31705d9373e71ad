#include "testing/faulty_journal.h"

#include <gtest/gtest.h>

#include "journal/journal_testing.h"
#include "journal/memory_journal.h"

namespace allot {
namespace {

using journal_testing::PlainSubmission;
using journal_testing::StartEvent;

class FaultyJournalTest : public ::testing::Test {
 protected:
  Status Submit(TaskIndex index) {
    return faulty_.AppendSubmissions(
        std::vector{PlainSubmission(index, "t" + std::to_string(index))});
  }
  size_t Committed() { return inner_.Load()->submissions.size(); }

  MemoryJournal inner_;
  FaultyJournal faulty_{&inner_};
};

TEST_F(FaultyJournalTest, PassesBatchesThroughWhenNoFaultIsSet) {
  ASSERT_TRUE(Submit(0).ok());
  ASSERT_TRUE(faulty_.AppendEvents(std::vector{StartEvent(0, 1, 5)}).ok());
  ASSERT_TRUE(faulty_.PutMeta("k", "v").ok());
  EXPECT_EQ(Committed(), 0u);  // nothing reaches the store before Commit
  ASSERT_TRUE(faulty_.Commit().ok());
  JournalContents c = faulty_.Load().value();
  EXPECT_EQ(c.submissions.size(), 1u);
  EXPECT_EQ(c.events.size(), 1u);
  EXPECT_EQ(c.meta.size(), 1u);
}

TEST_F(FaultyJournalTest, FailedCommitReturnsTheStatusAndLeavesNothingOfTheBatch) {
  ASSERT_TRUE(Submit(0).ok());
  faulty_.FailNextCommit(Status::IoError("journal.db: disk full"));
  Status s = faulty_.Commit();
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(Committed(), 0u);
  EXPECT_EQ(faulty_.injected_failures(), 1);
  // The fault fired once: the same index can be committed now.
  ASSERT_TRUE(Submit(0).ok());
  ASSERT_TRUE(faulty_.Commit().ok());
  EXPECT_EQ(Committed(), 1u);
}

TEST_F(FaultyJournalTest, FailedAppendDiscardsTheOpenBatch) {
  ASSERT_TRUE(Submit(0).ok());
  faulty_.FailNextAppend(Status::Unavailable("journal.db: database is locked"));
  EXPECT_EQ(faulty_.AppendEvents(std::vector{StartEvent(0, 1, 5)}).code(),
            StatusCode::kUnavailable);
  ASSERT_TRUE(faulty_.Commit().ok());
  EXPECT_EQ(Committed(), 0u);
}

TEST_F(FaultyJournalTest, RepeatedFaultFiresTheGivenNumberOfTimes) {
  faulty_.FailNextCommit(Status::Unavailable("busy"), 2);
  ASSERT_TRUE(Submit(0).ok());
  EXPECT_FALSE(faulty_.Commit().ok());
  ASSERT_TRUE(Submit(0).ok());
  EXPECT_FALSE(faulty_.Commit().ok());
  ASSERT_TRUE(Submit(0).ok());
  EXPECT_TRUE(faulty_.Commit().ok());
  EXPECT_EQ(faulty_.commit_calls(), 3);
}

TEST_F(FaultyJournalTest, PermanentFaultLastsUntilHeal) {
  faulty_.FailNextCommit(Status::IoError("disk full"), -1);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(Submit(0).ok());
    EXPECT_FALSE(faulty_.Commit().ok());
  }
  faulty_.Heal();
  ASSERT_TRUE(Submit(0).ok());
  EXPECT_TRUE(faulty_.Commit().ok());
}

TEST_F(FaultyJournalTest, FailedLoadReturnsTheStatus) {
  faulty_.FailNextLoad(Status::Corruption("bad page"));
  EXPECT_EQ(faulty_.Load().status().code(), StatusCode::kCorruption);
  EXPECT_TRUE(faulty_.Load().ok());
}

TEST_F(FaultyJournalTest, WrappedStoreErrorsSurfaceAtCommit) {
  ASSERT_TRUE(Submit(0).ok());
  ASSERT_TRUE(faulty_.Commit().ok());
  ASSERT_TRUE(Submit(0).ok());  // index 0 again: the wrapped store refuses it at Commit
  EXPECT_EQ(faulty_.Commit().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Committed(), 1u);
}

}  // namespace
}  // namespace allot
