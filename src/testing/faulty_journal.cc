#include "testing/faulty_journal.h"

namespace allot {

void FaultyJournal::FailNextCommit(Status status, int times) {
  commit_fault_ = {std::move(status), times};
}

void FaultyJournal::FailNextAppend(Status status, int times) {
  append_fault_ = {std::move(status), times};
}

void FaultyJournal::FailNextLoad(Status status, int times) {
  load_fault_ = {std::move(status), times};
}

void FaultyJournal::Heal() { commit_fault_ = append_fault_ = load_fault_ = Fault{}; }

Status FaultyJournal::Fire(Fault& fault) {
  if (fault.remaining == 0) return Status::Ok();
  if (fault.remaining > 0) --fault.remaining;
  ++injected_failures_;
  return fault.status;
}

void FaultyJournal::Discard() {
  submissions_.clear();
  events_.clear();
  meta_.clear();
  metrics_.clear();
  decisions_.clear();
}

Status FaultyJournal::AppendSubmissions(std::span<const Submission> submissions) {
  if (Status s = Fire(append_fault_); !s.ok()) {
    Discard();
    return s;
  }
  submissions_.insert(submissions_.end(), submissions.begin(), submissions.end());
  return Status::Ok();
}

Status FaultyJournal::AppendEvents(std::span<const TaskEvent> events) {
  if (Status s = Fire(append_fault_); !s.ok()) {
    Discard();
    return s;
  }
  events_.insert(events_.end(), events.begin(), events.end());
  return Status::Ok();
}

Status FaultyJournal::AppendMetrics(std::span<const MetricPoint> metrics) {
  if (Status s = Fire(append_fault_); !s.ok()) {
    Discard();
    return s;
  }
  metrics_.insert(metrics_.end(), metrics.begin(), metrics.end());
  return Status::Ok();
}

Status FaultyJournal::AppendScenarioDecisions(std::span<const ScenarioDecision> decisions) {
  if (Status s = Fire(append_fault_); !s.ok()) {
    Discard();
    return s;
  }
  decisions_.insert(decisions_.end(), decisions.begin(), decisions.end());
  return Status::Ok();
}

Status FaultyJournal::PutMeta(const std::string& key, const std::string& value) {
  if (Status s = Fire(append_fault_); !s.ok()) {
    Discard();
    return s;
  }
  meta_.emplace_back(key, value);
  return Status::Ok();
}

Status FaultyJournal::Commit() {
  ++commit_calls_;
  Status s = Fire(commit_fault_);
  // Submissions before events: an event may name a task submitted in the same batch.
  if (s.ok() && !submissions_.empty()) s = inner_->AppendSubmissions(submissions_);
  if (s.ok() && !events_.empty()) s = inner_->AppendEvents(events_);
  if (s.ok() && !metrics_.empty()) s = inner_->AppendMetrics(metrics_);
  if (s.ok() && !decisions_.empty()) s = inner_->AppendScenarioDecisions(decisions_);
  for (size_t i = 0; s.ok() && i < meta_.size(); ++i)
    s = inner_->PutMeta(meta_[i].first, meta_[i].second);
  if (s.ok()) s = inner_->Commit();
  Discard();
  return s;
}

Result<JournalContents> FaultyJournal::Load() {
  if (Status s = Fire(load_fault_); !s.ok()) return s;
  return inner_->Load();
}

Status FaultyJournal::LoadForRecovery(RecoveryConsumer* consumer) {
  if (Status s = Fire(load_fault_); !s.ok()) return s;
  return inner_->LoadForRecovery(consumer);
}

}  // namespace allot
