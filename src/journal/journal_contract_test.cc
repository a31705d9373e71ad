// The JournalStore contract, run against every backend (as Mesos tests its state storage).
#include <gtest/gtest.h>

#include <vector>

#include "journal/journal_backends_testing.h"

namespace allot {
namespace {

using journal_testing::EndEvent;
using journal_testing::MemoryBackend;
using journal_testing::PlainSubmission;
using journal_testing::RichSubmission;
using journal_testing::SameSubmissions;
using journal_testing::SqliteBackend;
using journal_testing::StartEvent;

template <typename Backend>
class JournalContractTest : public ::testing::Test {
 protected:
  JournalStore& journal() { return backend_.journal(); }
  void CrashAndReopen() { backend_.CrashAndReopen(); }
  JournalContents MustLoad() {
    Result<JournalContents> loaded = journal().Load();
    EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
    return loaded.ok() ? std::move(loaded).value() : JournalContents{};
  }
  // Submits plain tasks n .. n+count-1 named "t<n>" and commits.
  void SubmitAndCommit(TaskIndex first, int count) {
    std::vector<Submission> subs;
    for (int i = 0; i < count; ++i) {
      subs.push_back(PlainSubmission(first + i, "t" + std::to_string(first + i)));
    }
    ASSERT_TRUE(journal().AppendSubmissions(subs).ok());
    ASSERT_TRUE(journal().Commit().ok());
  }

  Backend backend_;
};

using Backends = ::testing::Types<MemoryBackend, SqliteBackend>;
class BackendNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return std::is_same_v<T, MemoryBackend> ? "Memory" : "Sqlite";
  }
};
TYPED_TEST_SUITE(JournalContractTest, Backends, BackendNames);

TYPED_TEST(JournalContractTest, NewJournalLoadsEmpty) {
  JournalContents c = this->MustLoad();
  EXPECT_TRUE(c.submissions.empty());
  EXPECT_TRUE(c.events.empty());
  EXPECT_TRUE(c.meta.empty());
}

TYPED_TEST(JournalContractTest, CommittedBatchRoundTripsEveryField) {
  std::vector<Submission> subs = {RichSubmission(0, "sim-1"), RichSubmission(1, "sim-2"),
                                  PlainSubmission(2, "plain")};
  TaskEvent killed = EndEvent(1, 1, 5000, TaskState::kFailed, -1);
  killed.usage->term_signal = 9;
  killed.usage->timed_out = true;
  killed.usage->memory_exceeded = true;
  killed.reason = "time limit 1h30m exceeded; killed after grace period";
  killed.usage->checkpoint =
      R"({"dir":"/shared/ckpt/sim-2","restored":2,"sealed":{"set":3,"attempt":1,"files":[]}})";
  killed.usage->checkpointed = true;
  TaskEvent produced = EndEvent(0, 1, 2000, TaskState::kSucceeded, 0);
  produced.usage->outputs = R"([{"path":"/runs/0/out.h5","size":12,"sha256":"ab"}])";
  produced.usage->result = R"({"efficiency":0.93,"label":"thin"})";
  produced.usage->slurm_job = "4242";  // it ran as a Slurm job of its own (executor: slurm)
  TaskEvent zero_usage = EndEvent(2, 1, 6000, TaskState::kSucceeded, 0);
  zero_usage.usage = AttemptUsage{.exit_code = 0};  // all zero, still "has usage"
  TaskEvent no_usage;
  no_usage.task = 2;
  no_usage.from = TaskState::kWaiting;
  no_usage.to = TaskState::kReady;
  no_usage.wall_time_us = 42;
  no_usage.memory_bytes = int64_t{3} << 30;  // a grown memory request
  std::vector<TaskEvent> events = {StartEvent(0, 1, 1000), produced,
                                   StartEvent(1, 1, 3000),
                                   killed,
                                   no_usage,
                                   zero_usage};

  ASSERT_TRUE(this->journal().AppendSubmissions(subs).ok());
  ASSERT_TRUE(this->journal().AppendEvents(events).ok());
  ASSERT_TRUE(this->journal().PutMeta("cores", "16").ok());
  ASSERT_TRUE(this->journal().PutMeta("campaign", "ePIC calorimeter scan").ok());
  ASSERT_TRUE(this->journal().Commit().ok());
  this->CrashAndReopen();

  JournalContents c = this->MustLoad();
  EXPECT_TRUE(SameSubmissions(c.submissions, subs));
  EXPECT_EQ(c.events, events);
  using Meta = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(c.meta, (Meta{{"campaign", "ePIC calorimeter scan"}, {"cores", "16"}}));
}

TYPED_TEST(JournalContractTest, MetricsRoundTripInAppendOrderAndOnlyOnceCommitted) {
  this->SubmitAndCommit(0, 2);
  std::vector<MetricPoint> metrics = {
      {.task = 1, .attempt = 1, .name = "loss", .value = 0.75, .step = 0, .time_us = 10},
      {.task = 0, .attempt = 2, .name = "eff/barrel", .value = -3e-9, .time_us = 11},
      {.task = 1, .attempt = 1, .name = "loss", .value = 0.5, .step = 1, .time_us = 12}};
  ASSERT_TRUE(this->journal().AppendMetrics(metrics).ok());
  EXPECT_TRUE(this->MustLoad().metrics.empty());
  ASSERT_TRUE(this->journal().Commit().ok());
  std::vector<MetricPoint> lost = {{.task = 0, .attempt = 1, .name = "lost", .value = 1}};
  ASSERT_TRUE(this->journal().AppendMetrics(lost).ok());
  this->CrashAndReopen();
  EXPECT_EQ(this->MustLoad().metrics, metrics);
  Result<std::vector<MetricPoint>> loaded = this->journal().LoadMetrics();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(*loaded, metrics);
  std::vector<ScenarioDecision> decisions = {
      {.time_us = 12, .scenario = "s1", .priority_offset = 2, .reason = "asha: promoted",
       .task = 1},
      {.time_us = 13, .scenario = "s2", .stopped = true, .reason = "asha: stopped", .task = 0}};
  ASSERT_TRUE(this->journal().AppendScenarioDecisions(decisions).ok());
  ASSERT_TRUE(this->journal().Commit().ok());
  this->CrashAndReopen();
  EXPECT_EQ(this->MustLoad().scenario_decisions, decisions);
  // A metric of a task never submitted is refused, with the batch.
  std::vector<MetricPoint> stray = {{.task = 7, .attempt = 1, .name = "x", .value = 1}};
  EXPECT_EQ(this->journal().AppendMetrics(stray).code(), StatusCode::kInvalidArgument);
}

TYPED_TEST(JournalContractTest, LoadSeesOnlyCommittedBatches) {
  this->SubmitAndCommit(0, 2);
  ASSERT_TRUE(this->journal().AppendSubmissions(std::vector{PlainSubmission(2, "t2")}).ok());
  ASSERT_TRUE(this->journal().AppendEvents(std::vector{StartEvent(0, 1, 10)}).ok());
  ASSERT_TRUE(this->journal().PutMeta("k", "v").ok());

  JournalContents c = this->MustLoad();
  EXPECT_EQ(c.submissions.size(), 2u);
  EXPECT_TRUE(c.events.empty());
  EXPECT_TRUE(c.meta.empty());

  ASSERT_TRUE(this->journal().Commit().ok());
  c = this->MustLoad();
  EXPECT_EQ(c.submissions.size(), 3u);
  EXPECT_EQ(c.events.size(), 1u);
  EXPECT_EQ(c.meta.size(), 1u);
}

TYPED_TEST(JournalContractTest, UncommittedBatchIsLostOnCrashAndIndicesResumeAfterCommitted) {
  this->SubmitAndCommit(0, 3);
  ASSERT_TRUE(this->journal().AppendEvents(std::vector{StartEvent(1, 1, 10)}).ok());
  ASSERT_TRUE(this->journal().Commit().ok());
  ASSERT_TRUE(this->journal().AppendSubmissions(std::vector{PlainSubmission(3, "lost")}).ok());
  ASSERT_TRUE(this->journal().AppendEvents(std::vector{StartEvent(3, 1, 20)}).ok());
  ASSERT_TRUE(this->journal().PutMeta("lost", "yes").ok());

  this->CrashAndReopen();

  JournalContents c = this->MustLoad();
  ASSERT_EQ(c.submissions.size(), 3u);
  ASSERT_EQ(c.events.size(), 1u);
  EXPECT_EQ(c.events[0].task, 1u);
  EXPECT_TRUE(c.meta.empty());
  // The lost submission's index and id are free again.
  ASSERT_TRUE(this->journal().AppendSubmissions(std::vector{PlainSubmission(3, "lost")}).ok());
  ASSERT_TRUE(this->journal().Commit().ok());
  EXPECT_EQ(this->MustLoad().submissions.back().spec.id, "lost");
}

TYPED_TEST(JournalContractTest, BatchesLoadInAppendOrderAcrossCommits) {
  this->SubmitAndCommit(0, 2);
  std::vector<TaskEvent> all;
  for (int turn = 0; turn < 5; ++turn) {
    std::vector<TaskEvent> batch = {
        StartEvent(turn % 2, turn + 1, turn * 10),
        EndEvent(turn % 2, turn + 1, turn * 10 + 5, TaskState::kReady, 1)};
    ASSERT_TRUE(this->journal().AppendEvents(batch).ok());
    ASSERT_TRUE(this->journal().Commit().ok());
    all.insert(all.end(), batch.begin(), batch.end());
  }
  this->SubmitAndCommit(2, 1);
  this->CrashAndReopen();
  JournalContents c = this->MustLoad();
  EXPECT_EQ(c.events, all);
  EXPECT_EQ(c.submissions.size(), 3u);
}

TYPED_TEST(JournalContractTest, CommitWithNothingAppendedIsOk) {
  EXPECT_TRUE(this->journal().Commit().ok());
  EXPECT_TRUE(this->journal().Commit().ok());
  EXPECT_TRUE(this->MustLoad().submissions.empty());
}

TYPED_TEST(JournalContractTest, NonDenseSubmissionIndexIsRejected) {
  this->SubmitAndCommit(0, 2);
  Status gap = this->journal().AppendSubmissions(std::vector{PlainSubmission(3, "gap")});
  EXPECT_EQ(gap.code(), StatusCode::kFailedPrecondition) << gap.ToString();
  Status again = this->journal().AppendSubmissions(std::vector{PlainSubmission(1, "again")});
  EXPECT_EQ(again.code(), StatusCode::kFailedPrecondition) << again.ToString();
  Status in_batch = this->journal().AppendSubmissions(
      std::vector{PlainSubmission(2, "ok"), PlainSubmission(2, "same index")});
  EXPECT_EQ(in_batch.code(), StatusCode::kFailedPrecondition) << in_batch.ToString();
  EXPECT_TRUE(this->journal().Commit().ok());
  EXPECT_EQ(this->MustLoad().submissions.size(), 2u);
}

TYPED_TEST(JournalContractTest, DuplicateTaskIdIsAlreadyExists) {
  this->SubmitAndCommit(0, 2);  // t0, t1
  Status across = this->journal().AppendSubmissions(std::vector{PlainSubmission(2, "t1")});
  EXPECT_EQ(across.code(), StatusCode::kAlreadyExists) << across.ToString();
  EXPECT_NE(across.message().find("t1"), std::string::npos) << across.ToString();
  Status within = this->journal().AppendSubmissions(
      std::vector{PlainSubmission(2, "new"), PlainSubmission(3, "new")});
  EXPECT_EQ(within.code(), StatusCode::kAlreadyExists) << within.ToString();
  EXPECT_TRUE(this->journal().Commit().ok());
  EXPECT_EQ(this->MustLoad().submissions.size(), 2u);
}

TYPED_TEST(JournalContractTest, EventForUnsubmittedTaskIsInvalidArgument) {
  this->SubmitAndCommit(0, 1);
  Status s = this->journal().AppendEvents(std::vector{StartEvent(1, 1, 10)});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
}

TYPED_TEST(JournalContractTest, EventMayNameTaskSubmittedEarlierInTheSameBatch) {
  ASSERT_TRUE(this->journal().AppendSubmissions(std::vector{PlainSubmission(0, "a")}).ok());
  ASSERT_TRUE(this->journal().AppendEvents(std::vector{StartEvent(0, 1, 10)}).ok());
  ASSERT_TRUE(this->journal().Commit().ok());
  EXPECT_EQ(this->MustLoad().events.size(), 1u);
}

TYPED_TEST(JournalContractTest, FailedAppendDiscardsTheWholeOpenBatch) {
  this->SubmitAndCommit(0, 1);
  ASSERT_TRUE(this->journal().AppendSubmissions(std::vector{PlainSubmission(1, "pending")}).ok());
  ASSERT_TRUE(this->journal().AppendEvents(std::vector{StartEvent(0, 1, 10)}).ok());
  ASSERT_TRUE(this->journal().PutMeta("pending", "1").ok());
  Status s = this->journal().AppendEvents(std::vector{StartEvent(7, 1, 10)});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("discarded"), std::string::npos) << s.ToString();
  // The next batch starts from what was committed.
  ASSERT_TRUE(this->journal().AppendSubmissions(std::vector{PlainSubmission(1, "next")}).ok());
  ASSERT_TRUE(this->journal().Commit().ok());
  this->CrashAndReopen();
  JournalContents c = this->MustLoad();
  ASSERT_EQ(c.submissions.size(), 2u);
  EXPECT_EQ(c.submissions[1].spec.id, "next");
  EXPECT_TRUE(c.events.empty());
  EXPECT_TRUE(c.meta.empty());
}

TYPED_TEST(JournalContractTest, MetaKeepsTheLastValuePerKeySortedByKey) {
  ASSERT_TRUE(this->journal().PutMeta("b", "1").ok());
  ASSERT_TRUE(this->journal().PutMeta("a", "1").ok());
  ASSERT_TRUE(this->journal().PutMeta("b", "2").ok());
  ASSERT_TRUE(this->journal().Commit().ok());
  ASSERT_TRUE(this->journal().PutMeta("a", "3").ok());
  ASSERT_TRUE(this->journal().PutMeta("empty", "").ok());
  ASSERT_TRUE(this->journal().Commit().ok());
  using Meta = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(this->MustLoad().meta, (Meta{{"a", "3"}, {"b", "2"}, {"empty", ""}}));
}

TYPED_TEST(JournalContractTest, GetMetaGivesTheCommittedValueOfOneKey) {
  EXPECT_EQ(*this->journal().GetMeta("next_worker_id"), std::nullopt);
  ASSERT_TRUE(this->journal().PutMeta("next_worker_id", "3").ok());
  ASSERT_TRUE(this->journal().Commit().ok());
  ASSERT_TRUE(this->journal().PutMeta("next_worker_id", "4").ok());  // not committed yet
  EXPECT_EQ(*this->journal().GetMeta("next_worker_id"), std::optional<std::string>("3"));
  ASSERT_TRUE(this->journal().Commit().ok());
  EXPECT_EQ(*this->journal().GetMeta("next_worker_id"), std::optional<std::string>("4"));
  EXPECT_EQ(*this->journal().GetMeta("other"), std::nullopt);
}

}  // namespace
}  // namespace allot
