// CommitDelayingJournal: a JournalStore that sleeps before some commits (failure injection's
// commit-delay: a slow or contended disk), forwarding everything to the journal it wraps.
// Not thread-safe, as the journal it wraps.
#pragma once

#include <random>

#include "common/time.h"
#include "journal/journal_store.h"

namespace allot {

class CommitDelayingJournal final : public JournalStore {
 public:
  // `inner` must outlive this. Each Commit first sleeps `delay` with `probability`.
  CommitDelayingJournal(JournalStore* inner, double probability, Duration delay, uint64_t seed)
      : inner_(inner), probability_(probability), delay_(delay), rng_(seed ^ 0x636f6d6d6974ull) {}

  Status AppendSubmissions(std::span<const Submission> s) override {
    return inner_->AppendSubmissions(s);
  }
  Status AppendEvents(std::span<const TaskEvent> e) override { return inner_->AppendEvents(e); }
  Status AppendMetrics(std::span<const MetricPoint> m) override {
    return inner_->AppendMetrics(m);
  }
  Result<std::vector<MetricPoint>> LoadMetrics() override { return inner_->LoadMetrics(); }
  Status AppendScenarioDecisions(std::span<const ScenarioDecision> d) override {
    return inner_->AppendScenarioDecisions(d);
  }
  Status PutMeta(const std::string& key, const std::string& value) override {
    return inner_->PutMeta(key, value);
  }
  Status Commit() override;
  Result<JournalContents> Load() override { return inner_->Load(); }
  Result<std::optional<std::string>> GetMeta(const std::string& key) override {
    return inner_->GetMeta(key);
  }
  Status LoadForRecovery(RecoveryConsumer* consumer) override {
    return inner_->LoadForRecovery(consumer);
  }
  int64_t delayed() const { return delayed_; }

 private:
  JournalStore* inner_;
  double probability_;
  Duration delay_;
  std::mt19937_64 rng_;
  int64_t delayed_ = 0;
};

}  // namespace allot
