#include "journal/memory_journal.h"

namespace allot {

Status MemoryJournal::Fail(Status cause) {
  DropUncommitted();
  return Status(cause.code(), cause.message() + "; the uncommitted batch was discarded");
}

Status MemoryJournal::AppendSubmissions(std::span<const Submission> submissions) {
  // Indices first, for the whole call, then ids in order: the order SqliteJournal reports in.
  size_t next = next_task_index();
  for (size_t i = 0; i < submissions.size(); ++i) {
    if (submissions[i].index != next + i) {
      return Fail(Status::FailedPrecondition(
          "memory journal: submission index " + std::to_string(submissions[i].index) +
          " breaks the dense sequence (expected " + std::to_string(next + i) + ")"));
    }
  }
  for (const Submission& s : submissions) {
    if (ids_.contains(s.spec.id) || !pending_ids_.insert(s.spec.id).second) {
      return Fail(Status::AlreadyExists("memory journal: task id \"" + s.spec.id +
                                        "\" is already in the journal"));
    }
    pending_submissions_.push_back(s);
  }
  return Status::Ok();
}

Status MemoryJournal::AppendEvents(std::span<const TaskEvent> events) {
  size_t tasks = submissions_.size() + pending_submissions_.size();
  for (const TaskEvent& e : events) {
    if (e.task >= tasks) {
      return Fail(Status::InvalidArgument("memory journal: event for task " +
                                          std::to_string(e.task) + " but only " +
                                          std::to_string(tasks) + " tasks were submitted"));
    }
  }
  pending_events_.insert(pending_events_.end(), events.begin(), events.end());
  return Status::Ok();
}

Status MemoryJournal::AppendMetrics(std::span<const MetricPoint> metrics) {
  size_t tasks = submissions_.size() + pending_submissions_.size();
  for (const MetricPoint& m : metrics) {
    if (m.task >= tasks) {
      return Fail(Status::InvalidArgument("memory journal: metric for task " +
                                          std::to_string(m.task) + " but only " +
                                          std::to_string(tasks) + " tasks were submitted"));
    }
  }
  pending_metrics_.insert(pending_metrics_.end(), metrics.begin(), metrics.end());
  return Status::Ok();
}

Status MemoryJournal::AppendScenarioDecisions(std::span<const ScenarioDecision> decisions) {
  size_t tasks = submissions_.size() + pending_submissions_.size();
  for (const ScenarioDecision& d : decisions) {
    if (d.task >= tasks) {
      return Fail(Status::InvalidArgument("memory journal: scenario decision for task " +
                                          std::to_string(d.task) + " but only " +
                                          std::to_string(tasks) + " tasks were submitted"));
    }
  }
  pending_decisions_.insert(pending_decisions_.end(), decisions.begin(), decisions.end());
  return Status::Ok();
}

Status MemoryJournal::PutMeta(const std::string& key, const std::string& value) {
  pending_meta_.emplace_back(key, value);
  return Status::Ok();
}

Status MemoryJournal::Commit() {
  for (Submission& s : pending_submissions_) {
    ids_.insert(s.spec.id);
    submissions_.push_back(std::move(s));
  }
  for (TaskEvent& e : pending_events_) events_.push_back(std::move(e));
  for (auto& [key, value] : pending_meta_) meta_[key] = std::move(value);
  for (MetricPoint& m : pending_metrics_) metrics_.push_back(std::move(m));
  for (ScenarioDecision& d : pending_decisions_) decisions_.push_back(std::move(d));
  DropUncommitted();
  ++commit_count_;
  return Status::Ok();
}

Result<JournalContents> MemoryJournal::Load() {
  JournalContents contents;
  contents.submissions = submissions_;
  contents.events = events_;
  contents.meta.assign(meta_.begin(), meta_.end());
  contents.metrics = metrics_;
  contents.scenario_decisions = decisions_;
  return contents;
}

void MemoryJournal::DropUncommitted() {
  pending_submissions_.clear();
  pending_events_.clear();
  pending_meta_.clear();
  pending_metrics_.clear();
  pending_decisions_.clear();
  pending_ids_.clear();
}

size_t MemoryJournal::uncommitted_rows() const {
  return pending_submissions_.size() + pending_events_.size() + pending_meta_.size() +
         pending_metrics_.size() + pending_decisions_.size();
}

}  // namespace allot
