// FaultyJournal: wraps any JournalStore and fails chosen calls with a chosen Status, to test
// how callers handle a busy journal, a full disk or a failed commit (as LevelDB's
// FaultInjectionTestEnv does for files).
//
// It keeps the open batch itself and hands it to the wrapped store only inside Commit (appends,
// then the store's Commit), so an injected failure can honour the contract: a failed Append or
// Commit discards the whole open batch and nothing of it reaches the wrapped store. Errors of
// the wrapped store's appends therefore surface at Commit. Load is passed through (or fails).
// Does not own the wrapped store, which must outlive it. Not thread-safe: one owner.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "journal/journal_store.h"

namespace allot {

class FaultyJournal final : public JournalStore {
 public:
  explicit FaultyJournal(JournalStore* inner) : inner_(inner) {}

  // The next `times` calls of Commit fail with `status` (e.g. Unavailable "database is locked",
  // IoError "disk full"); `times` < 0: every call from now on, until Heal().
  void FailNextCommit(Status status, int times = 1);
  // The same for AppendSubmissions, AppendEvents, AppendMetrics and PutMeta (they share one
  // counter).
  void FailNextAppend(Status status, int times = 1);
  void FailNextLoad(Status status, int times = 1);
  // Cancels every injected failure not yet delivered.
  void Heal();

  Status AppendSubmissions(std::span<const Submission> submissions) override;
  Status AppendEvents(std::span<const TaskEvent> events) override;
  Status AppendMetrics(std::span<const MetricPoint> metrics) override;
  Status AppendScenarioDecisions(std::span<const ScenarioDecision> decisions) override;
  Status PutMeta(const std::string& key, const std::string& value) override;
  Status Commit() override;
  Result<JournalContents> Load() override;
  Status LoadForRecovery(RecoveryConsumer* consumer) override;

  // Calls seen, failed or not.
  int commit_calls() const { return commit_calls_; }
  // Failures delivered so far, of every kind.
  int injected_failures() const { return injected_failures_; }

 private:
  struct Fault {
    Status status;
    int remaining = 0;  // < 0: forever
  };
  // The injected Status when `fault` fires now, else OK.
  Status Fire(Fault& fault);
  void Discard();

  JournalStore* inner_;
  Fault commit_fault_;
  Fault append_fault_;
  Fault load_fault_;
  std::vector<Submission> submissions_;
  std::vector<TaskEvent> events_;
  std::vector<std::pair<std::string, std::string>> meta_;
  std::vector<MetricPoint> metrics_;
  std::vector<ScenarioDecision> decisions_;
  int commit_calls_ = 0;
  int injected_failures_ = 0;
};

}  // namespace allot
