// MemoryJournal: the JournalStore contract in memory, for tests of the layers above and as the
// naive model the SQLite journal is checked against (journal_contract_test.cc).
//
// Same rules as SqliteJournal: appends go to an open batch that becomes visible to Load only at
// Commit; any failed call discards the open batch; duplicate task ids are AlreadyExists,
// non-dense indices FailedPrecondition, events for unsubmitted tasks InvalidArgument; meta is
// loaded sorted by key, one entry per key. DropUncommitted() is what a crash does.
// Not thread-safe: one owner.
#pragma once

#include <map>
#include <string>
#include <unordered_set>

#include "journal/journal_store.h"

namespace allot {

class MemoryJournal final : public JournalStore {
 public:
  Status AppendSubmissions(std::span<const Submission> submissions) override;
  Status AppendEvents(std::span<const TaskEvent> events) override;
  Status AppendMetrics(std::span<const MetricPoint> metrics) override;
  Status AppendScenarioDecisions(std::span<const ScenarioDecision> decisions) override;
  Status PutMeta(const std::string& key, const std::string& value) override;
  Status Commit() override;
  Result<JournalContents> Load() override;

  // Simulates a crash and a reopen: the open batch is lost, everything committed stays.
  void DropUncommitted();
  // Rows appended since the last Commit (submissions + events + meta puts).
  size_t uncommitted_rows() const;
  int commit_count() const { return commit_count_; }
  // The index the next submission must have.
  TaskIndex next_task_index() const {
    return static_cast<TaskIndex>(submissions_.size() + pending_submissions_.size());
  }

 private:
  Status Fail(Status cause);

  // Committed.
  std::vector<Submission> submissions_;
  std::vector<TaskEvent> events_;
  std::map<std::string, std::string> meta_;
  std::vector<MetricPoint> metrics_;
  std::vector<ScenarioDecision> decisions_;
  std::unordered_set<std::string> ids_;
  // The open batch.
  std::vector<Submission> pending_submissions_;
  std::vector<TaskEvent> pending_events_;
  std::vector<std::pair<std::string, std::string>> pending_meta_;
  std::vector<MetricPoint> pending_metrics_;
  std::vector<ScenarioDecision> pending_decisions_;
  std::unordered_set<std::string> pending_ids_;
  int commit_count_ = 0;
};

}  // namespace allot
