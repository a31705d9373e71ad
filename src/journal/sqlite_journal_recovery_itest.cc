// SqliteJournal::LoadForRecovery against real files: finished tasks come brief, everything
// else as Load has it, with the finished flags the events imply; journals of schema version 2
// (no brief columns) load in full, and their rows keep loading in full after a writer
// upgrades the file.
#include <gtest/gtest.h>

#include "journal/journal_testing.h"
#include "journal/sqlite_journal.h"
#include "model/task_spec_json.h"

namespace allot {
namespace {

using journal_testing::CollectForRecovery;
using journal_testing::CollectingConsumer;
using journal_testing::EndEvent;
using journal_testing::PlainSubmission;
using journal_testing::RawExec;
using journal_testing::RawQuery;
using journal_testing::RichSubmission;
using journal_testing::SameSubmissions;
using journal_testing::ScopedTempDir;
using journal_testing::StartEvent;

class SqliteJournalRecoveryTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteJournal> MustOpen() {
    auto j = SqliteJournal::Open(path_);
    EXPECT_TRUE(j.ok()) << j.status().ToString();
    return j.ok() ? std::move(j).value() : nullptr;
  }
  static JournalContents MustLoad(Result<JournalContents> contents) {
    EXPECT_TRUE(contents.ok()) << contents.status().ToString();
    return contents.ok() ? std::move(contents).value() : JournalContents{};
  }
  // Tasks 0..4: 0 succeeded, 1 failed after two attempts, 2 running, 3 never started,
  // 4 succeeded; all rich specs (task 4 tagged with a profile).
  void WriteCampaign(SqliteJournal& j, TaskIndex first = 0) {
    std::vector<Submission> subs;
    for (TaskIndex t = first; t < first + 5; ++t) {
      subs.push_back(RichSubmission(t, "sim-" + std::to_string(t)));
    }
    subs[4].spec.tags["profile"] = "geant4";
    subs[4].spec.priority = 7;
    subs[4].spec.resources.memory_bytes = 12345;
    ASSERT_TRUE(j.AppendSubmissions(subs).ok());
    std::vector<TaskEvent> events = {
        StartEvent(first + 0, 1, 10), EndEvent(first + 0, 1, 20, TaskState::kSucceeded, 0),
        StartEvent(first + 1, 1, 30), EndEvent(first + 1, 1, 40, TaskState::kReady, 3),
        StartEvent(first + 1, 2, 50), EndEvent(first + 1, 2, 60, TaskState::kFailed, 3),
        StartEvent(first + 2, 1, 70), StartEvent(first + 4, 1, 80),
        EndEvent(first + 4, 1, 90, TaskState::kSucceeded, 0)};
    ASSERT_TRUE(j.AppendEvents(events).ok());
    ASSERT_TRUE(j.PutMeta("cores", "64").ok());
    ASSERT_TRUE(j.Commit().ok());
  }

  ScopedTempDir dir_;
  std::string path_ = dir_.File("campaign.journal");
};

TEST_F(SqliteJournalRecoveryTest, FinishedTasksComeBriefAndEverythingElseAsLoadHasIt) {
  auto j = MustOpen();
  WriteCampaign(*j);
  JournalContents all = MustLoad(j->Load());
  JournalContents rec = MustLoad(CollectForRecovery(*j));

  ASSERT_EQ(rec.submissions.size(), 5u);
  for (TaskIndex t : {0u, 1u, 4u}) {
    const Submission& s = rec.submissions[t];
    EXPECT_TRUE(s.brief) << t;
    EXPECT_EQ(s.index, t);
    EXPECT_EQ(s.initial_state, all.submissions[t].initial_state);
    EXPECT_EQ(s.wall_time_us, all.submissions[t].wall_time_us);
    // Only what recovering a finished task needs; the rest is default.
    TaskSpec expected;
    expected.id = all.submissions[t].spec.id;
    expected.priority = all.submissions[t].spec.priority;
    const int cores = all.submissions[t].spec.resources.cores.min;
    expected.resources.cores = {cores, cores};
    expected.resources.memory_bytes = all.submissions[t].spec.resources.memory_bytes;
    if (t == 4) expected.tags = {{"profile", "geant4"}};
    EXPECT_EQ(TaskSpecToJson(s.spec), TaskSpecToJson(expected)) << t;
  }
  EXPECT_EQ(rec.submissions[4].spec.priority, 7);
  EXPECT_EQ(rec.submissions[4].spec.resources.memory_bytes, 12345);
  for (TaskIndex t : {2u, 3u}) {
    EXPECT_FALSE(rec.submissions[t].brief) << t;
    EXPECT_TRUE(SameSubmissions({rec.submissions[t]}, {all.submissions[t]})) << t;
  }
  EXPECT_EQ(rec.events, all.events);
  for (const Submission& s : all.submissions) EXPECT_FALSE(s.brief);
}

TEST_F(SqliteJournalRecoveryTest, ManyUnfinishedTasksAreDecodedInOnePassInOrder) {
  // Over a quarter unfinished: the specs are read by a scan instead of lookups.
  auto j = MustOpen();
  std::vector<Submission> subs;
  for (TaskIndex t = 0; t < 40000; ++t) subs.push_back(RichSubmission(t, "t" + std::to_string(t)));
  ASSERT_TRUE(j->AppendSubmissions(subs).ok());
  std::vector<TaskEvent> events;
  for (TaskIndex t = 0; t < 40000; t += 3) {
    events.push_back(StartEvent(t, 1, t));
    events.push_back(EndEvent(t, 1, t + 1, TaskState::kSucceeded, 0));
  }
  ASSERT_TRUE(j->AppendEvents(events).ok());
  ASSERT_TRUE(j->Commit().ok());
  JournalContents all = MustLoad(j->Load());
  CollectingConsumer consumer;
  JournalContents rec = MustLoad(CollectForRecovery(*j, &consumer));
  // The tasks came once, with the flags the events imply.
  EXPECT_EQ(consumer.task_calls, 1);
  ASSERT_EQ(consumer.finished.size(), 40000u);
  for (TaskIndex t = 0; t < 40000; ++t) ASSERT_EQ(consumer.finished[t], t % 3 == 0) << t;
  ASSERT_EQ(rec.submissions.size(), all.submissions.size());
  for (TaskIndex t = 0; t < 40000; ++t) {
    ASSERT_EQ(rec.submissions[t].brief, t % 3 == 0) << t;
    if (t % 3 != 0) {
      ASSERT_TRUE(SameSubmissions({rec.submissions[t]}, {all.submissions[t]})) << t;
    }
  }
  EXPECT_EQ(rec.events, all.events);
}

TEST_F(SqliteJournalRecoveryTest, SeesOnlyCommittedBatchesWhileTheWriterHoldsOneOpen) {
  auto j = MustOpen();
  WriteCampaign(*j);
  const std::vector<Submission> late = {PlainSubmission(5, "late")};
  const std::vector<TaskEvent> started = {StartEvent(3, 1, 100)};
  ASSERT_TRUE(j->AppendSubmissions(late).ok());
  ASSERT_TRUE(j->AppendEvents(started).ok());
  JournalContents rec = MustLoad(CollectForRecovery(*j));
  EXPECT_EQ(rec.submissions.size(), 5u);
  EXPECT_EQ(rec.events.size(), 9u);
  ASSERT_TRUE(j->Commit().ok());
  EXPECT_EQ(MustLoad(CollectForRecovery(*j)).submissions.size(), 6u);
}

TEST_F(SqliteJournalRecoveryTest, DamagedSpecOfAnUnfinishedTaskIsCorruptionNamingIt) {
  {
    auto j = MustOpen();
    WriteCampaign(*j);
  }
  RawExec(path_, "UPDATE tasks SET spec = '{not json' WHERE idx = 3");
  auto j = MustOpen();
  Result<JournalContents> rec = CollectForRecovery(*j);
  ASSERT_FALSE(rec.ok());
  EXPECT_EQ(rec.status().code(), StatusCode::kCorruption);
  EXPECT_NE(rec.status().message().find(path_), std::string::npos) << rec.status().ToString();
  EXPECT_NE(rec.status().message().find("task 3"), std::string::npos) << rec.status().ToString();
}

TEST_F(SqliteJournalRecoveryTest, BriefOutOfRangeIsCorruptionNamingTheTask) {
  {
    auto j = MustOpen();
    WriteCampaign(*j);
  }
  RawExec(path_, "UPDATE tasks SET cores = -4 WHERE idx = 0");
  auto j = MustOpen();
  Result<JournalContents> rec = CollectForRecovery(*j);
  ASSERT_FALSE(rec.ok());
  EXPECT_EQ(rec.status().code(), StatusCode::kCorruption);
  EXPECT_NE(rec.status().message().find("task 0"), std::string::npos) << rec.status().ToString();
}

// A journal as version 7 wrote it: no events.slurm_job (nor in the task_events view).
void MakeVersion7(const std::string& path) {
  RawExec(path,
          "DROP VIEW task_events; ALTER TABLE events DROP COLUMN slurm_job;"
          "CREATE VIEW task_events AS SELECT e.seq, e.reason, e.checkpoint, e.outputs, e.result"
          " FROM events e;"
          "PRAGMA user_version = 7;");
}

// A journal as version 6 wrote it: no metrics table (nor its view).
void MakeVersion6(const std::string& path) {
  MakeVersion7(path);
  RawExec(path, "DROP VIEW task_metrics; DROP TABLE metrics; DROP TABLE scenario_decisions;"
                "PRAGMA user_version = 6;");
}

// A journal as version 4 wrote it: no events.outputs nor result (nor in the task_events view).
void MakeVersion4(const std::string& path) {
  MakeVersion6(path);
  RawExec(path,
          "DROP VIEW task_events; ALTER TABLE events DROP COLUMN result;"
          "ALTER TABLE events DROP COLUMN outputs;"
          "CREATE VIEW task_events AS SELECT e.seq, e.reason, e.checkpoint FROM events e;"
          "PRAGMA user_version = 4;");
}

// A journal as version 3 wrote it: no events.checkpoint either.
void MakeVersion3(const std::string& path) {
  MakeVersion4(path);
  RawExec(path,
          "DROP VIEW task_events; ALTER TABLE events DROP COLUMN checkpoint;"
          "CREATE VIEW task_events AS SELECT e.seq, e.reason FROM events e;"
          "PRAGMA user_version = 3;");
}

// A version 2 journal as an earlier build left it: no brief columns in tasks.

void MakeVersion2(const std::string& path) {
  MakeVersion3(path);
  RawExec(path,
          "ALTER TABLE tasks DROP COLUMN priority; ALTER TABLE tasks DROP COLUMN cores;"
          "ALTER TABLE tasks DROP COLUMN memory; ALTER TABLE tasks DROP COLUMN profile;"
          "PRAGMA user_version = 2;");
}

TEST_F(SqliteJournalRecoveryTest, Version3JournalIsReadByAReaderAndUpgradedByAWriter) {
  {
    auto j = MustOpen();
    WriteCampaign(*j);
  }
  MakeVersion3(path_);
  {
    auto reader = SqliteJournal::OpenReadOnly(path_);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    JournalContents all = MustLoad((*reader)->Load());
    EXPECT_FALSE(all.events.empty());
    EXPECT_EQ(RawQuery(path_, "PRAGMA user_version"), "3;");
  }
  auto j = MustOpen();
  EXPECT_EQ(RawQuery(path_, "PRAGMA user_version"), "8;");
  EXPECT_EQ(RawQuery(path_, "SELECT COUNT(*) FROM task_events WHERE checkpoint IS NULL") ,
            RawQuery(path_, "SELECT COUNT(*) FROM events"));
}

TEST_F(SqliteJournalRecoveryTest, Version4JournalIsReadByAReaderAndUpgradedByAWriter) {
  {
    auto j = MustOpen();
    WriteCampaign(*j);
  }
  JournalContents before;
  {
    auto reader = SqliteJournal::OpenReadOnly(path_);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    before = MustLoad((*reader)->Load());
  }
  MakeVersion4(path_);
  {
    auto reader = SqliteJournal::OpenReadOnly(path_);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    JournalContents all = MustLoad((*reader)->Load());
    EXPECT_EQ(all.events, before.events);
    EXPECT_EQ(RawQuery(path_, "PRAGMA user_version"), "4;");
  }
  auto j = MustOpen();
  EXPECT_EQ(RawQuery(path_, "PRAGMA user_version"), "8;");
  EXPECT_EQ(RawQuery(path_, "SELECT COUNT(*) FROM task_events WHERE outputs IS NULL"),
            RawQuery(path_, "SELECT COUNT(*) FROM events"));
}

TEST_F(SqliteJournalRecoveryTest, Version6JournalReadsAsNoMetricsAndAWriterAddsTheTable) {
  {
    auto j = MustOpen();
    WriteCampaign(*j);
  }
  MakeVersion6(path_);
  {
    auto reader = SqliteJournal::OpenReadOnly(path_);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    JournalContents all = MustLoad((*reader)->Load());
    EXPECT_FALSE(all.events.empty());
    EXPECT_TRUE(all.metrics.empty());
    EXPECT_EQ(RawQuery(path_, "PRAGMA user_version"), "6;");
  }
  auto j = MustOpen();
  EXPECT_EQ(RawQuery(path_, "PRAGMA user_version"), "8;");
  MetricPoint m{.task = 1, .attempt = 1, .name = "loss", .value = 0.5, .step = 3,
                .time_us = 42};
  ASSERT_TRUE(j->AppendMetrics(std::span(&m, 1)).ok());
  ASSERT_TRUE(j->Commit().ok());
  Result<std::vector<MetricPoint>> metrics = j->LoadMetrics();
  ASSERT_TRUE(metrics.ok()) << metrics.status().ToString();
  EXPECT_EQ(*metrics, std::vector<MetricPoint>{m});
  EXPECT_EQ(RawQuery(path_, "SELECT task_id, name, step, value FROM task_metrics"),
            RawQuery(path_, "SELECT id || '|loss|3|0.5' FROM tasks WHERE idx = 1"));
}

TEST_F(SqliteJournalRecoveryTest, Version7JournalReadsWithoutSlurmJobsAndAWriterAddsTheColumn) {
  {
    auto j = MustOpen();
    WriteCampaign(*j);
  }
  JournalContents before;
  {
    auto reader = SqliteJournal::OpenReadOnly(path_);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    before = MustLoad((*reader)->Load());
  }
  MakeVersion7(path_);
  {
    auto reader = SqliteJournal::OpenReadOnly(path_);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    EXPECT_EQ(MustLoad((*reader)->Load()).events, before.events);
    EXPECT_EQ(RawQuery(path_, "PRAGMA user_version"), "7;");
  }
  auto j = MustOpen();
  EXPECT_EQ(RawQuery(path_, "PRAGMA user_version"), "8;");
  EXPECT_EQ(RawQuery(path_, "SELECT COUNT(*) FROM task_events WHERE slurm_job IS NULL"),
            RawQuery(path_, "SELECT COUNT(*) FROM events"));
}

TEST_F(SqliteJournalRecoveryTest, Version2JournalIsReadInFullByAReaderAndLeftAsItIs) {
  {
    auto j = MustOpen();
    WriteCampaign(*j);
  }
  MakeVersion2(path_);
  auto reader = SqliteJournal::OpenReadOnly(path_);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  JournalContents all = MustLoad((*reader)->Load());
  JournalContents rec = MustLoad(CollectForRecovery(**reader));
  EXPECT_TRUE(SameSubmissions(rec.submissions, all.submissions));
  for (const Submission& s : rec.submissions) EXPECT_FALSE(s.brief);
  EXPECT_EQ(rec.events, all.events);
  EXPECT_EQ(RawQuery(path_, "PRAGMA user_version"), "2;");
}

TEST_F(SqliteJournalRecoveryTest, WriterUpgradesVersion2AndItsOldRowsLoadInFull) {
  {
    auto j = MustOpen();
    WriteCampaign(*j);
  }
  MakeVersion2(path_);
  auto j = MustOpen();
  EXPECT_EQ(RawQuery(path_, "PRAGMA user_version"), "8;");
  EXPECT_EQ(RawQuery(path_, "SELECT COUNT(*) FROM tasks WHERE priority IS NULL"), "5;");
  WriteCampaign(*j, 5);  // rows written after the upgrade have their brief
  JournalContents all = MustLoad(j->Load());
  JournalContents rec = MustLoad(CollectForRecovery(*j));
  ASSERT_EQ(rec.submissions.size(), 10u);
  for (TaskIndex t = 0; t < 10; ++t) {
    const bool finished = t % 5 == 0 || t % 5 == 1 || t % 5 == 4;
    EXPECT_EQ(rec.submissions[t].brief, t >= 5 && finished) << t;
    if (!rec.submissions[t].brief) {
      EXPECT_TRUE(SameSubmissions({rec.submissions[t]}, {all.submissions[t]})) << t;
    }
  }
  EXPECT_EQ(rec.events, all.events);
}

TEST_F(SqliteJournalRecoveryTest, BriefColumnsAreThereForPeoplesQueries) {
  auto j = MustOpen();
  WriteCampaign(*j);
  EXPECT_EQ(RawQuery(path_, "SELECT id, priority, cores, memory, profile FROM tasks"
                            " WHERE idx IN (3, 4) ORDER BY idx"),
            "sim-3|-3|2|3221225472|NULL;sim-4|7|2|12345|geant4;");
}

}  // namespace
}  // namespace allot
