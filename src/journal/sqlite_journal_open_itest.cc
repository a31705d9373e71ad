// SqliteJournal against real files: open modes, files that are not journals, read-only
// readers beside a writer, lock contention, damaged rows, and the views people query.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "journal/journal_testing.h"
#include "journal/sqlite_journal.h"

namespace allot {
namespace {

using journal_testing::EndEvent;
using journal_testing::PlainSubmission;
using journal_testing::RawExec;
using journal_testing::RawQuery;
using journal_testing::RichSubmission;
using journal_testing::ScopedTempDir;
using journal_testing::StartEvent;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

class SqliteJournalOpenTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteJournal> MustOpen(const SqliteJournalOptions& options = {}) {
    auto j = SqliteJournal::Open(path_, options);
    EXPECT_TRUE(j.ok()) << j.status().ToString();
    return j.ok() ? std::move(j).value() : nullptr;
  }
  void CommitTasks(SqliteJournal& j, TaskIndex first, int count) {
    std::vector<Submission> subs;
    for (int i = 0; i < count; ++i) {
      subs.push_back(PlainSubmission(first + i, "t" + std::to_string(first + i)));
    }
    ASSERT_TRUE(j.AppendSubmissions(subs).ok());
    ASSERT_TRUE(j.Commit().ok());
  }

  ScopedTempDir dir_;
  std::string path_ = dir_.File("campaign.journal");
};

TEST_F(SqliteJournalOpenTest, CreateNewRefusesAnExistingJournalAndNamesIt) {
  { MustOpen({.create_new = true}); }
  auto again = SqliteJournal::Open(path_, {.create_new = true});
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(again.status().message().find(path_), std::string::npos);
}

TEST_F(SqliteJournalOpenTest, CreateNewLeavesAnExistingFileAlone) {
  WriteFile(path_, "my notes\n");
  EXPECT_EQ(SqliteJournal::Open(path_, {.create_new = true}).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(ReadFile(path_), "my notes\n");
}

TEST_F(SqliteJournalOpenTest, MustExistOnAMissingFileIsNotFoundAndCreatesNothing) {
  auto j = SqliteJournal::Open(path_, {.must_exist = true});
  EXPECT_EQ(j.status().code(), StatusCode::kNotFound);
  EXPECT_NE(j.status().message().find(path_), std::string::npos);
  EXPECT_FALSE(Exists(path_));
  EXPECT_EQ(SqliteJournal::OpenReadOnly(path_).status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(Exists(path_));
}

TEST_F(SqliteJournalOpenTest, DefaultOpenCreatesThenReopensTheSameJournal) {
  {
    auto j = MustOpen();
    CommitTasks(*j, 0, 2);
  }
  auto j = MustOpen();
  EXPECT_EQ(j->next_task_index(), 2u);
  EXPECT_EQ(j->Load()->submissions.size(), 2u);
  EXPECT_EQ(RawQuery(path_, "PRAGMA journal_mode"), "wal;");
}

TEST_F(SqliteJournalOpenTest, TextFileIsNotAJournalAndStaysUnchanged) {
  WriteFile(path_, std::string(5000, 'x'));
  for (const Status& s : {SqliteJournal::Open(path_).status(),
                          SqliteJournal::Open(path_, {.must_exist = true}).status(),
                          SqliteJournal::OpenReadOnly(path_).status()}) {
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
    EXPECT_NE(s.message().find(path_), std::string::npos);
    EXPECT_NE(s.message().find("not an Allot journal"), std::string::npos);
  }
  EXPECT_EQ(ReadFile(path_), std::string(5000, 'x'));
}

TEST_F(SqliteJournalOpenTest, OtherSqliteDatabaseIsNotAJournalAndStaysUnchanged) {
  RawExec(path_, "CREATE TABLE photos(id INTEGER); INSERT INTO photos VALUES(1);");
  std::string before = ReadFile(path_);
  auto j = SqliteJournal::Open(path_);
  EXPECT_EQ(j.status().code(), StatusCode::kInvalidArgument) << j.status().ToString();
  EXPECT_NE(j.status().message().find(path_), std::string::npos);
  EXPECT_EQ(ReadFile(path_), before);
  EXPECT_EQ(RawQuery(path_, "PRAGMA journal_mode"), "delete;");
}

TEST_F(SqliteJournalOpenTest, EmptyFileIsNotAJournalToResume) {
  WriteFile(path_, "");
  EXPECT_EQ(SqliteJournal::Open(path_, {.must_exist = true}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(SqliteJournal::OpenReadOnly(path_).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(SqliteJournalOpenTest, JournalFromANewerSchemaIsRefused) {
  { MustOpen(); }
  RawExec(path_, "PRAGMA user_version = 99");
  auto j = SqliteJournal::Open(path_);
  EXPECT_EQ(j.status().code(), StatusCode::kFailedPrecondition) << j.status().ToString();
  EXPECT_NE(j.status().message().find("newer"), std::string::npos);
}

TEST_F(SqliteJournalOpenTest, ReaderSeesCommittedBatchesWhileTheWriterHoldsOneOpen) {
  auto writer = MustOpen({.create_new = true});
  CommitTasks(*writer, 0, 3);
  ASSERT_TRUE(writer->AppendSubmissions(std::vector{PlainSubmission(3, "pending")}).ok());
  ASSERT_TRUE(writer->AppendEvents(std::vector{StartEvent(0, 1, 10)}).ok());

  auto reader = SqliteJournal::OpenReadOnly(path_);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  Result<JournalContents> seen = (*reader)->Load();
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  EXPECT_EQ(seen->submissions.size(), 3u);
  EXPECT_TRUE(seen->events.empty());

  ASSERT_TRUE(writer->Commit().ok());
  seen = (*reader)->Load();
  ASSERT_TRUE(seen.ok());
  EXPECT_EQ(seen->submissions.size(), 4u);
  EXPECT_EQ(seen->events.size(), 1u);
}

TEST_F(SqliteJournalOpenTest, ReaderDoesNotModifyTheJournalFiles) {
  auto writer = MustOpen({.create_new = true});
  CommitTasks(*writer, 0, 50);
  ASSERT_TRUE(writer->AppendEvents(std::vector{StartEvent(0, 1, 10)}).ok());
  struct stat before_stat;
  ASSERT_EQ(stat(path_.c_str(), &before_stat), 0);
  std::string db_before = ReadFile(path_);
  std::string wal_before = ReadFile(path_ + "-wal");

  for (int i = 0; i < 3; ++i) {
    auto reader = SqliteJournal::OpenReadOnly(path_);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    ASSERT_TRUE((*reader)->Load().ok());
  }

  struct stat after_stat;
  ASSERT_EQ(stat(path_.c_str(), &after_stat), 0);
  EXPECT_EQ(ReadFile(path_), db_before);
  EXPECT_EQ(ReadFile(path_ + "-wal"), wal_before);
  EXPECT_EQ(after_stat.st_mtim.tv_sec, before_stat.st_mtim.tv_sec);
  EXPECT_EQ(after_stat.st_mtim.tv_nsec, before_stat.st_mtim.tv_nsec);
}

TEST_F(SqliteJournalOpenTest, ReaderOpensAJournalWhoseWriterHasExited) {
  {
    auto writer = MustOpen({.create_new = true});
    CommitTasks(*writer, 0, 5);
  }
  std::string db_before = ReadFile(path_);
  auto reader = SqliteJournal::OpenReadOnly(path_);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  Result<JournalContents> seen = (*reader)->Load();
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  EXPECT_EQ(seen->submissions.size(), 5u);
  reader->reset();
  EXPECT_EQ(ReadFile(path_), db_before);
}

TEST_F(SqliteJournalOpenTest, ReadOnlyJournalRefusesWrites) {
  { MustOpen({.create_new = true}); }
  auto reader = SqliteJournal::OpenReadOnly(path_);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->AppendSubmissions(std::vector{PlainSubmission(0, "a")}).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ((*reader)->PutMeta("k", "v").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ((*reader)->Commit().code(), StatusCode::kFailedPrecondition);
}

TEST_F(SqliteJournalOpenTest, SecondWriterIsUnavailableWhileTheFirstHoldsABatch) {
  auto first = MustOpen({.create_new = true});
  CommitTasks(*first, 0, 1);
  auto second = MustOpen({.busy_timeout_ms = 0});
  ASSERT_TRUE(first->AppendEvents(std::vector{StartEvent(0, 1, 10)}).ok());

  Status s = second->AppendEvents(std::vector{StartEvent(0, 1, 20)});
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_NE(s.message().find(path_), std::string::npos);
  ASSERT_TRUE(first->Commit().ok());
  EXPECT_EQ(first->Load()->events.size(), 1u);
}

// Another program (the sqlite3 shell, a backup tool) holding the write lock for seconds must
// not stop a campaign: the commit waits for the lock, with backoff, and then succeeds.
TEST_F(SqliteJournalOpenTest, CommitWaitsOutAWriteLockHeldForSecondsByAnotherConnection) {
  auto j = MustOpen({.create_new = true});
  CommitTasks(*j, 0, 2);
  std::promise<void> locked;
  std::thread holder([&] {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
    locked.set_value();
    std::this_thread::sleep_for(std::chrono::seconds(3));  // longer than the old 2 s limit
    EXPECT_EQ(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  });
  locked.get_future().wait();
  Status appended = j->AppendEvents(std::vector{StartEvent(0, 1, 10)});
  Status committed = appended.ok() ? j->Commit() : appended;
  holder.join();
  ASSERT_TRUE(committed.ok()) << committed.ToString();
  EXPECT_EQ(j->Load()->events.size(), 1u);
}

TEST_F(SqliteJournalOpenTest, WaitingForALockIsLoggedAndGivingUpSaysHowLongItWaited) {
  std::vector<std::string> lines;
  auto j = MustOpen({.create_new = true,
                     .busy_timeout_ms = 3000,
                     .on_busy_wait = [&lines](const std::string& l) { lines.push_back(l); }});
  CommitTasks(*j, 0, 1);
  sqlite3* holder = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &holder), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(holder, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  Status s = j->AppendEvents(std::vector{StartEvent(0, 1, 10)});
  sqlite3_exec(holder, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(holder);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_NE(s.message().find("gave up after waiting 3 s"), std::string::npos) << s.ToString();
  ASSERT_FALSE(lines.empty()) << "a line after the first second";
  EXPECT_NE(lines[0].find(path_ + " is locked by another process"), std::string::npos)
      << lines[0];
  // The lock is gone: the next batch goes through.
  ASSERT_TRUE(j->AppendEvents(std::vector{StartEvent(0, 1, 10)}).ok());
  ASSERT_TRUE(j->Commit().ok());
}

TEST_F(SqliteJournalOpenTest, DamagedSpecIsCorruptionNamingTheFile) {
  {
    auto j = MustOpen({.create_new = true});
    CommitTasks(*j, 0, 2);
  }
  RawExec(path_, "UPDATE tasks SET spec = '{not json' WHERE idx = 1");
  Result<JournalContents> loaded = MustOpen()->Load();
  EXPECT_EQ(loaded.status().code(), StatusCode::kCorruption) << loaded.status().ToString();
  EXPECT_NE(loaded.status().message().find(path_), std::string::npos);
  EXPECT_NE(loaded.status().message().find("task 1"), std::string::npos);
}

// Specs are decoded in chunks on several threads; order and error reporting must not show it.
TEST_F(SqliteJournalOpenTest, LargeJournalLoadsInOrderAndNamesTheFirstDamagedSpec) {
  constexpr int kTasks = 40'000;
  {
    auto j = MustOpen({.create_new = true});
    CommitTasks(*j, 0, kTasks);
  }
  Result<JournalContents> loaded = MustOpen()->Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_EQ(loaded->submissions.size(), static_cast<size_t>(kTasks));
  for (int i = 0; i < kTasks; i += 997) {
    EXPECT_EQ(loaded->submissions[i].spec.id, "t" + std::to_string(i));
  }
  EXPECT_EQ(loaded->submissions.back().spec.id, "t" + std::to_string(kTasks - 1));

  RawExec(path_, "UPDATE tasks SET spec = '[]' WHERE idx IN (39000, 25000)");
  loaded = MustOpen()->Load();
  EXPECT_EQ(loaded.status().code(), StatusCode::kCorruption) << loaded.status().ToString();
  EXPECT_NE(loaded.status().message().find("task 25000"), std::string::npos)
      << loaded.status().ToString();
}

TEST_F(SqliteJournalOpenTest, GapInTaskIndicesIsCorruption) {
  {
    auto j = MustOpen({.create_new = true});
    CommitTasks(*j, 0, 3);
  }
  RawExec(path_, "DELETE FROM tasks WHERE idx = 1");
  EXPECT_EQ(MustOpen()->Load().status().code(), StatusCode::kCorruption);
}

TEST_F(SqliteJournalOpenTest, ViewsShowIdsAndStateNamesForAdHocQueries) {
  {
    auto j = MustOpen({.create_new = true});
    ASSERT_TRUE(
        j->AppendSubmissions(std::vector{RichSubmission(0, "sim-a"), RichSubmission(1, "sim-b")})
            .ok());
    ASSERT_TRUE(
        j->AppendEvents(std::vector{StartEvent(0, 1, 1'700'000'000'000'000),
                                    EndEvent(0, 1, 1'700'000'001'500'000, TaskState::kFailed, 2)})
            .ok());
    ASSERT_TRUE(j->Commit().ok());
  }
  EXPECT_EQ(RawQuery(path_, "SELECT id, state, attempt FROM task_states ORDER BY idx"),
            "sim-a|failed|1;sim-b|waiting|NULL;");
  EXPECT_EQ(RawQuery(path_,
                     "SELECT task_id, from_state, to_state, time_utc, exit_code, cores,"
                     " reason FROM task_events"),
            "sim-a|ready|running|2023-11-14 22:13:20.000|NULL|0,3,17|NULL;"
            "sim-a|running|failed|2023-11-14 22:13:21.500|2|NULL|exit code 2;");
}

}  // namespace
}  // namespace allot
