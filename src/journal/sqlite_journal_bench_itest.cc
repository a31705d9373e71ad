// Throughput of SqliteJournal, printed, not asserted (timings vary by machine; the figures go
// to docs/PERFORMANCE.md). The 1M-task load is DISABLED_: run it with
//   allot_journal_itest --gtest_filter='*Million*' --gtest_also_run_disabled_tests
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdio>

#include "journal/journal_testing.h"
#include "journal/sqlite_journal.h"

namespace allot {
namespace {

using journal_testing::EndEvent;
using journal_testing::PlainSubmission;
using journal_testing::RichSubmission;
using journal_testing::ScopedTempDir;
using journal_testing::StartEvent;
using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::unique_ptr<SqliteJournal> NewJournal(const std::string& path, JournalDurability d) {
  auto j = SqliteJournal::Open(path, {.create_new = true, .durability = d});
  EXPECT_TRUE(j.ok()) << j.status().ToString();
  return std::move(j).value();
}

// A scheduler-shaped task: a command, a few tags, a workdir.
Submission TypicalSubmission(TaskIndex i) {
  Submission s = PlainSubmission(i, "sim-" + std::to_string(i));
  s.spec.command = "python3 sim.py --energy 5 --seed " + std::to_string(i);
  s.spec.tags = {{"project", "epic"}, {"scenario", "scan"}};
  s.spec.workdir = "/scratch/campaign/sim-" + std::to_string(i);
  s.spec.max_retries = 2;
  return s;
}

class SqliteJournalBench : public ::testing::TestWithParam<JournalDurability> {
 protected:
  const char* name() const { return JournalDurabilityName(GetParam()).data(); }
  ScopedTempDir dir_;
};

TEST_P(SqliteJournalBench, PrintsCommitRateForTwoEventBatches) {
  auto j = NewJournal(dir_.File("j.db"), GetParam());
  constexpr int kTasks = 1000;
  std::vector<Submission> subs;
  for (int i = 0; i < kTasks; ++i) subs.push_back(TypicalSubmission(i));
  ASSERT_TRUE(j->AppendSubmissions(subs).ok());
  ASSERT_TRUE(j->Commit().ok());

  const int commits = GetParam() == JournalDurability::kFull ? 300 : 5000;
  auto start = Clock::now();
  for (int c = 0; c < commits; ++c) {
    TaskIndex t = static_cast<TaskIndex>(c % kTasks);
    std::vector<TaskEvent> batch = {EndEvent(t, 1, c, TaskState::kSucceeded, 0),
                                    StartEvent((t + 1) % kTasks, 1, c)};
    ASSERT_TRUE(j->AppendEvents(batch).ok());
    ASSERT_TRUE(j->Commit().ok());
  }
  double s = SecondsSince(start);
  std::printf("[journal %s] batches of 2 events: %.0f commits/s (%.1f us per commit)\n", name(),
              commits / s, 1e6 * s / commits);
}

TEST_P(SqliteJournalBench, PrintsRowRateForLargeBatches) {
  auto j = NewJournal(dir_.File("j.db"), GetParam());
  constexpr int kBatch = 1000;
  constexpr int kBatches = 100;
  auto start = Clock::now();
  for (int b = 0; b < kBatches; ++b) {
    std::vector<Submission> subs;
    for (int i = 0; i < kBatch; ++i) subs.push_back(TypicalSubmission(b * kBatch + i));
    ASSERT_TRUE(j->AppendSubmissions(subs).ok());
    ASSERT_TRUE(j->Commit().ok());
  }
  double sub_s = SecondsSince(start);
  start = Clock::now();
  for (int b = 0; b < kBatches; ++b) {
    std::vector<TaskEvent> events;
    for (int i = 0; i < kBatch; ++i) {
      TaskIndex t = static_cast<TaskIndex>(b * kBatch + i);
      events.push_back(i % 2 ? StartEvent(t, 1, i) : EndEvent(t, 1, i, TaskState::kFailed, 1));
    }
    ASSERT_TRUE(j->AppendEvents(events).ok());
    ASSERT_TRUE(j->Commit().ok());
  }
  double ev_s = SecondsSince(start);
  std::printf("[journal %s] batches of %d: %.0f submissions/s, %.0f events/s\n", name(), kBatch,
              kBatch * kBatches / sub_s, kBatch * kBatches / ev_s);
}

TEST_P(SqliteJournalBench, DISABLED_PrintsLoadTimeForAMillionTasksAndThreeMillionEvents) {
  std::string path = dir_.File("j.db");
  constexpr int kTasks = 1'000'000;
  constexpr int kBatch = 10'000;
  {
    auto j = NewJournal(path, GetParam());
    auto start = Clock::now();
    for (int b = 0; b < kTasks / kBatch; ++b) {
      std::vector<Submission> subs;
      std::vector<TaskEvent> events;
      for (int i = 0; i < kBatch; ++i) {
        TaskIndex t = static_cast<TaskIndex>(b * kBatch + i);
        subs.push_back(TypicalSubmission(t));
        TaskEvent ready;
        ready.task = t;
        ready.from = TaskState::kWaiting;
        ready.to = TaskState::kReady;
        events.push_back(ready);
        events.push_back(StartEvent(t, 1, i));
        events.push_back(EndEvent(t, 1, i + 5, TaskState::kSucceeded, 0));
      }
      ASSERT_TRUE(j->AppendSubmissions(subs).ok());
      ASSERT_TRUE(j->AppendEvents(events).ok());
      ASSERT_TRUE(j->Commit().ok());
    }
    std::printf("[journal %s] wrote 1M tasks + 3M events in %.2f s\n", name(), SecondsSince(start));
  }
  auto j = SqliteJournal::Open(path, {.must_exist = true});
  ASSERT_TRUE(j.ok());
  auto start = Clock::now();
  Result<JournalContents> c = (*j)->Load();
  double s = SecondsSince(start);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->submissions.size(), static_cast<size_t>(kTasks));
  ASSERT_EQ(c->events.size(), static_cast<size_t>(3 * kTasks));
  std::printf("[journal %s] Load of 1M tasks + 3M events: %.2f s\n", name(), s);
  *c = JournalContents();  // freed before the checks

  // What the checks at open cost beside the load (journal_loader.cc: the index of task ids is
  // counted at every load), and what the full checks would.
  auto reader = SqliteJournal::OpenReadOnly(path);
  ASSERT_TRUE(reader.ok());
  auto time_query = [&path](const char* sql) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
    auto begin = Clock::now();
    while (sqlite3_step(stmt) == SQLITE_ROW) {
    }
    double seconds = SecondsSince(begin);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return seconds;
  };
  std::printf("[journal %s] counting the index of task ids (part of Load): %.3f s\n", name(),
              time_query("SELECT COUNT(*) FROM tasks INDEXED BY sqlite_autoindex_tasks_1"));
  std::printf("[journal %s] PRAGMA quick_check: %.2f s\n", name(),
              time_query("PRAGMA quick_check"));
  start = Clock::now();
  Result<std::vector<std::string>> problems = (*reader)->CheckIntegrity();
  ASSERT_TRUE(problems.ok()) << problems.status().ToString();
  EXPECT_TRUE(problems->empty());
  std::printf("[journal %s] PRAGMA integrity_check (allot journal check): %.2f s\n", name(),
              SecondsSince(start));
}

INSTANTIATE_TEST_SUITE_P(Durability, SqliteJournalBench,
                         ::testing::Values(JournalDurability::kNormal, JournalDurability::kFull),
                         [](const auto& info) {
                           return std::string(JournalDurabilityName(info.param));
                         });

}  // namespace
}  // namespace allot
