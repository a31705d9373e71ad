// A journal that never silently rolls back, and damage found at open: a writer process dies
// (as under kill -9), then its write-ahead log is deleted, damaged, or the main file is copied
// without it; an index page of a closed journal is overwritten with garbage. Real processes,
// real files.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "journal/journal_testing.h"
#include "journal/sqlite_journal.h"

namespace allot {
namespace {

using journal_testing::EndEvent;
using journal_testing::PlainSubmission;
using journal_testing::ScopedTempDir;
using journal_testing::StartEvent;

constexpr int kBatches = 6;
constexpr int kTasksPerBatch = 10;

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

class SqliteJournalIntegrityTest : public ::testing::TestWithParam<JournalDurability> {
 protected:
  // A child process creates the journal, commits kBatches batches (each: 10 submissions and
  // their start events) and dies without closing anything, as allot does under kill -9.
  void CommitBatchesAndDie() {
    pid_t pid = fork();
    if (pid == 0) {
      auto j = SqliteJournal::Open(path_, {.create_new = true, .durability = GetParam()});
      if (!j.ok()) _exit(10);
      for (int b = 0; b < kBatches; ++b) {
        std::vector<Submission> subs;
        std::vector<TaskEvent> events;
        for (int i = 0; i < kTasksPerBatch; ++i) {
          TaskIndex t = static_cast<TaskIndex>(b * kTasksPerBatch + i);
          subs.push_back(PlainSubmission(t, "t" + std::to_string(t)));
          events.push_back(StartEvent(t, 1, b));
        }
        if (!(*j)->AppendSubmissions(subs).ok() || !(*j)->AppendEvents(events).ok() ||
            !(*j)->Commit().ok()) {
          _exit(11);
        }
      }
      _exit(0);  // no destructors: the connection is never closed, as under kill -9
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
    ASSERT_TRUE(Exists(wal_)) << "the dead writer left no write-ahead log";
  }

  ScopedTempDir dir_;
  std::string path_ = dir_.File("allot.db");
  std::string wal_ = path_ + "-wal";
};

TEST_P(SqliteJournalIntegrityTest, DeletedWalAfterACrashIsRefusedNamingTheFileAndTheLoss) {
  CommitBatchesAndDie();
  ASSERT_EQ(unlink(wal_.c_str()), 0);
  unlink((path_ + "-shm").c_str());
  const std::string before = ReadBytes(path_);

  auto j = SqliteJournal::Open(path_, {.must_exist = true, .durability = GetParam()});
  ASSERT_FALSE(j.ok()) << "a journal that lost committed batches opened without a word";
  EXPECT_EQ(j.status().code(), StatusCode::kCorruption) << j.status().ToString();
  EXPECT_NE(j.status().message().find(path_), std::string::npos) << j.status().ToString();
  EXPECT_NE(j.status().message().find("missing"), std::string::npos) << j.status().ToString();
  EXPECT_EQ(ReadBytes(path_), before) << "a refused open changed the file";
}

TEST_P(SqliteJournalIntegrityTest, DamagedWalAfterACrashIsRefused) {
  CommitBatchesAndDie();
  // Keep the WAL header and the first frames; garbage over the rest, so SQLite's recovery
  // stops at the first frame whose checksum fails (what a torn copy or a bad disk leaves).
  std::string wal = ReadBytes(wal_);
  const size_t keep = 32 + 2 * (24 + 4096);
  ASSERT_GT(wal.size(), keep + 4096);
  for (size_t i = keep; i < wal.size(); ++i) wal[i] = static_cast<char>(0x5a ^ (i * 131));
  std::ofstream(wal_, std::ios::binary | std::ios::trunc) << wal;
  unlink((path_ + "-shm").c_str());

  auto j = SqliteJournal::Open(path_, {.must_exist = true, .durability = GetParam()});
  ASSERT_FALSE(j.ok()) << "a journal that lost committed batches opened without a word";
  EXPECT_EQ(j.status().code(), StatusCode::kCorruption) << j.status().ToString();
  EXPECT_NE(j.status().message().find(path_), std::string::npos) << j.status().ToString();
}

TEST_P(SqliteJournalIntegrityTest, MainFileCopiedWithoutItsWalAfterACrashIsRefused) {
  CommitBatchesAndDie();
  ScopedTempDir elsewhere;
  const std::string copy = elsewhere.File("allot.db");
  std::filesystem::copy_file(path_, copy);

  auto j = SqliteJournal::Open(copy, {.must_exist = true, .durability = GetParam()});
  ASSERT_FALSE(j.ok()) << "a copy missing its write-ahead log opened without a word";
  EXPECT_EQ(j.status().code(), StatusCode::kCorruption) << j.status().ToString();
  EXPECT_NE(j.status().message().find(copy), std::string::npos) << j.status().ToString();
  EXPECT_NE(j.status().message().find("-wal"), std::string::npos) << j.status().ToString();
}

TEST_P(SqliteJournalIntegrityTest, IntactWalAfterACrashOpensWithEverything) {
  CommitBatchesAndDie();
  auto j = SqliteJournal::Open(path_, {.must_exist = true, .durability = GetParam()});
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  Result<JournalContents> c = (*j)->Load();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->events.size(), static_cast<size_t>(kBatches * kTasksPerBatch));
}

TEST_P(SqliteJournalIntegrityTest, CleanlyClosedJournalOpensWithoutItsWal) {
  {
    auto j = SqliteJournal::Open(path_, {.create_new = true, .durability = GetParam()});
    ASSERT_TRUE(j.ok()) << j.status().ToString();
    ASSERT_TRUE((*j)->AppendSubmissions(std::vector{PlainSubmission(0, "a")}).ok());
    ASSERT_TRUE((*j)->Commit().ok());
  }
  EXPECT_FALSE(Exists(wal_)) << "SQLite removes the log of a cleanly closed journal";
  ScopedTempDir elsewhere;
  const std::string copy = elsewhere.File("allot.db");
  std::filesystem::copy_file(path_, copy);
  for (const std::string& p : {path_, copy}) {
    auto j = SqliteJournal::Open(p, {.must_exist = true, .durability = GetParam()});
    ASSERT_TRUE(j.ok()) << j.status().ToString();
    EXPECT_EQ((*j)->Load()->submissions.size(), 1u);
  }
}

TEST_P(SqliteJournalIntegrityTest, ReaderOpensALossAndSaysWhatIsMissing) {
  CommitBatchesAndDie();
  ASSERT_EQ(unlink(wal_.c_str()), 0);
  const std::string before = ReadBytes(path_);
  auto reader = SqliteJournal::OpenReadOnly(path_);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  Result<JournalContents> held = (*reader)->Load();
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  const int64_t missing = kBatches * kTasksPerBatch - static_cast<int64_t>(held->events.size());
  ASSERT_GT(missing, 0);
  EXPECT_NE((*reader)->loss().find(std::to_string(missing) + " committed events"),
            std::string::npos)
      << (*reader)->loss();
  EXPECT_NE((*reader)->loss().find(path_), std::string::npos) << (*reader)->loss();
  reader->reset();
  EXPECT_EQ(ReadBytes(path_), before);
}

TEST_P(SqliteJournalIntegrityTest, AcceptedLossGoesOnFromWhatTheFileHoldsAndIsNoted) {
  CommitBatchesAndDie();
  ASSERT_EQ(unlink(wal_.c_str()), 0);
  size_t held = 0;
  {
    auto j = SqliteJournal::Open(
        path_, {.must_exist = true, .durability = GetParam(), .accept_loss = true});
    ASSERT_TRUE(j.ok()) << j.status().ToString();
    EXPECT_NE((*j)->loss().find("missing"), std::string::npos) << (*j)->loss();
    held = (*j)->Load()->events.size();
    const TaskIndex next = (*j)->next_task_index();
    ASSERT_TRUE((*j)->AppendSubmissions(std::vector{PlainSubmission(next, "new")}).ok());
    ASSERT_TRUE((*j)->AppendEvents(std::vector{StartEvent(next, 1, 99)}).ok());
    ASSERT_TRUE((*j)->Commit().ok());
  }
  // Accepted once: the commit record now agrees with the file, and the loss stays on record.
  auto j = SqliteJournal::Open(path_, {.must_exist = true, .durability = GetParam()});
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ((*j)->loss(), "");
  EXPECT_EQ((*j)->Load()->events.size(), held + 1);
  j->reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT value FROM journal_info WHERE key = 'loss_accepted'",
                               -1, &stmt, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  const std::string noted = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  EXPECT_NE(noted.find("missing"), std::string::npos) << noted;
}

INSTANTIATE_TEST_SUITE_P(Durability, SqliteJournalIntegrityTest,
                         ::testing::Values(JournalDurability::kNormal, JournalDurability::kFull),
                         [](const auto& info) {
                           return std::string(JournalDurabilityName(info.param));
                         });

// --- damage in the main file ------------------------------------------------------------------

// The page numbers of the leaf pages of the index of task ids (SQLite's dbstat table).
std::vector<int64_t> IndexLeafPages(const std::string& path) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  std::vector<int64_t> pages;
  if (sqlite3_prepare_v2(db,
                         "SELECT pageno FROM dbstat WHERE name = 'sqlite_autoindex_tasks_1'"
                         " AND pagetype = 'leaf' ORDER BY pageno",
                         -1, &stmt, nullptr) == SQLITE_OK) {
    while (sqlite3_step(stmt) == SQLITE_ROW) pages.push_back(sqlite3_column_int64(stmt, 0));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return pages;
}

TEST(SqliteJournalDamageTest, GarbageIndexPageIsCorruptionNamingTheFileAtLoad) {
  ScopedTempDir dir;
  const std::string path = dir.File("allot.db");
  constexpr int kTasks = 5000;
  {
    auto j = SqliteJournal::Open(path, {.create_new = true});
    ASSERT_TRUE(j.ok()) << j.status().ToString();
    std::vector<Submission> subs;
    for (int i = 0; i < kTasks; ++i) subs.push_back(PlainSubmission(i, "sim-" + std::to_string(i)));
    ASSERT_TRUE((*j)->AppendSubmissions(subs).ok());
    ASSERT_TRUE((*j)->AppendEvents(std::vector{EndEvent(7, 1, 5, TaskState::kFailed, 2)}).ok());
    ASSERT_TRUE((*j)->Commit().ok());
  }  // closed cleanly: everything is in the main file
  std::vector<int64_t> leaves = IndexLeafPages(path);
  ASSERT_GT(leaves.size(), 2u) << "the index of ids should span several pages";
  {
    std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp((leaves[leaves.size() / 2] - 1) * 4096);
    f << std::string(4096, '\x5a');
  }

  auto j = SqliteJournal::Open(path, {.must_exist = true});
  Status s = j.ok() ? (*j)->Load().status() : j.status();
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_NE(s.message().find(path), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("damaged"), std::string::npos) << s.ToString();
  auto reader = SqliteJournal::OpenReadOnly(path);
  s = reader.ok() ? (*reader)->Load().status() : reader.status();
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
}

}  // namespace
}  // namespace allot
