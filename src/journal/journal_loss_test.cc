// DescribeJournalLoss (which witness tells what) and the CommitRecord file it reads.
#include "journal/journal_loss.h"

#include <gtest/gtest.h>

#include <fstream>

#include "journal/journal_testing.h"

namespace allot {
namespace {

using journal_testing::ScopedTempDir;

constexpr char kPath[] = "/runs/a/allot.db";
constexpr char kId[] = "0123456789abcdef";

JournalHolds Holds(int64_t tasks, int64_t last_seq, std::string writer = "") {
  return {kId, std::move(writer), tasks, last_seq};
}

JournalSurroundings Recorded(int64_t tasks, int64_t last_seq, bool wal_present = false) {
  return {wal_present, CommittedCounts{kId, tasks, last_seq}};
}

TEST(DescribeJournalLossTest, JournalHoldingWhatItsRecordSaysLostNothing) {
  EXPECT_EQ(DescribeJournalLoss(kPath, Recorded(956, 2000), Holds(956, 2000)), "");
  // A record that fell behind (its write lost with the power) is no loss either.
  EXPECT_EQ(DescribeJournalLoss(kPath, Recorded(900, 1500), Holds(956, 2000)), "");
}

TEST(DescribeJournalLossTest, JournalHoldingLessThanItsRecordNamesFileAndCounts) {
  std::string loss = DescribeJournalLoss(kPath, Recorded(956, 1914), Holds(956, 1820));
  EXPECT_NE(loss.find(kPath), std::string::npos) << loss;
  EXPECT_NE(loss.find("94 committed events and 0 task submissions are missing"),
            std::string::npos)
      << loss;
  EXPECT_NE(loss.find("/runs/a/allot.db-wal was deleted"), std::string::npos) << loss;
  EXPECT_NE(loss.find("/runs/a/allot.db.committed"), std::string::npos) << loss;

  loss = DescribeJournalLoss(kPath, Recorded(10, 30, /*wal_present=*/true), Holds(8, 25));
  EXPECT_NE(loss.find("5 committed events and 2 task submissions"), std::string::npos) << loss;
  EXPECT_NE(loss.find("is damaged"), std::string::npos) << loss;
}

TEST(DescribeJournalLossTest, RecordOfAnotherJournalIsIgnored) {
  JournalSurroundings other = Recorded(956, 1914);
  other.record->journal_id = "fedcba9876543210";
  EXPECT_EQ(DescribeJournalLoss(kPath, other, Holds(3, 5)), "");
  // A journal without an id lost the batch that gave it one: the record applies.
  JournalHolds no_id = Holds(0, 0);
  no_id.journal_id = "";
  EXPECT_NE(DescribeJournalLoss(kPath, Recorded(956, 1914), no_id), "");
}

TEST(DescribeJournalLossTest, MarkWithoutWalOrRecordIsAnUnknownLoss) {
  const JournalHolds marked = Holds(5, 7, "pid 42 on node1 since 2026-11-21T10:31:02Z");
  std::string loss = DescribeJournalLoss(kPath, JournalSurroundings{}, marked);
  EXPECT_NE(loss.find("not closed cleanly (its writer was pid 42 on node1"), std::string::npos)
      << loss;
  EXPECT_NE(loss.find("how many events is unknown"), std::string::npos) << loss;
  // With its -wal beside it, an unclean close is what kill -9 leaves: nothing lost.
  EXPECT_EQ(DescribeJournalLoss(kPath, JournalSurroundings{true, std::nullopt}, marked), "");
  // A record that agrees settles it (the -wal was checkpointed before it went).
  EXPECT_EQ(DescribeJournalLoss(kPath, Recorded(5, 7), marked), "");
  // Closed cleanly: no mark, no -wal, nothing lost.
  EXPECT_EQ(DescribeJournalLoss(kPath, JournalSurroundings{}, Holds(5, 7)), "");
}

TEST(CommitRecordTest, WritesAreReadBackAndRewriteInPlace) {
  ScopedTempDir dir;
  const std::string path = CommitRecord::PathFor(dir.File("allot.db"));
  EXPECT_EQ(path, dir.File("allot.db.committed"));
  EXPECT_EQ(*CommitRecord::Read(path), std::nullopt) << "no file: no record";
  CommitRecord record(path);
  ASSERT_TRUE(record.Write({kId, 12, 34}).ok());
  ASSERT_TRUE(record.Write({kId, 1'000'000, 3'000'000'000}).ok());
  Result<std::optional<CommittedCounts>> read = CommitRecord::Read(path);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, (CommittedCounts{kId, 1'000'000, 3'000'000'000}));
  EXPECT_EQ(record.Write({"not hex", 1, 1}).code(), StatusCode::kInternal);
  ASSERT_TRUE(CommitRecord::Remove(path).ok());
  ASSERT_TRUE(CommitRecord::Remove(path).ok()) << "removing nothing is fine";
  EXPECT_EQ(*CommitRecord::Read(path), std::nullopt);
}

TEST(CommitRecordTest, FileThatIsNotARecordIsIgnored) {
  ScopedTempDir dir;
  const std::string path = dir.File("allot.db.committed");
  for (const std::string& junk :
       {std::string("my notes\n"), std::string(85, 'x'),
        std::string("allot-journal-committed 1 0123456789abcdeX 00000000000000000001 "
                    "00000000000000000002\n")}) {
    std::ofstream(path, std::ios::trunc) << junk;
    Result<std::optional<CommittedCounts>> read = CommitRecord::Read(path);
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    EXPECT_EQ(*read, std::nullopt) << junk;
  }
}

}  // namespace
}  // namespace allot
