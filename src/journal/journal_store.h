// JournalStore: the durable record of a campaign. Submissions and state-transition events are
// appended to an open batch; Commit() makes the whole batch durable in one sync (group commit).
// Nothing appended is acknowledged to anyone before Commit() returned OK. Any failed Append*,
// PutMeta or Commit discards the whole open batch (the Status says so); earlier batches stay.
// Shared rules: a reused task id is AlreadyExists, an index breaking the dense sequence is
// FailedPrecondition, an event for a task not yet submitted is InvalidArgument.
//
// Implementations: SqliteJournal (the real one), MemoryJournal (tests); both pass the one
// contract suite in journal_contract_test.cc. Not thread-safe: one owner (the server loop).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "model/metric_point.h"
#include "model/scenario_decision.h"
#include "model/submission.h"
#include "model/task_event.h"
#include "model/task_spec.h"

namespace allot {

// Everything a journal holds, in append order.
struct JournalContents {
  std::vector<Submission> submissions;
  std::vector<TaskEvent> events;
  std::vector<std::pair<std::string, std::string>> meta;
  std::vector<MetricPoint> metrics;  // intermediate metrics (model/metric_point.h)
  std::vector<ScenarioDecision> scenario_decisions;  // model/scenario_decision.h
};

// Receives a journal read for recovery (JournalStore::LoadForRecovery), in this order: OnTasks
// once, with every submission; then OnEvents with the events in append order (in one piece or
// several).
// A non-OK Status stops the reading and is what LoadForRecovery returns.
class RecoveryConsumer {
 public:
  virtual ~RecoveryConsumer() = default;
  // `finished[t]`: task t's last event ends it for good (model/task_state.h IsTerminal).
  // Submissions of finished tasks may be brief (Submission::brief). The submissions stay valid
  // until LoadForRecovery returns; the consumer may move the specs of unfinished ones away.
  virtual Status OnTasks(std::span<Submission> submissions,
                         const std::vector<bool>& finished) = 0;
  // OnTasks with the loader's own vector, which the consumer may keep beyond LoadForRecovery
  // (the Scheduler keeps the specs of unfinished tasks where they were decoded). Default: OnTasks.
  virtual Status OnTaskBlock(std::shared_ptr<std::vector<Submission>> submissions,
                             const std::vector<bool>& finished) {
    return OnTasks(*submissions, finished);
  }
  virtual Status OnEvents(std::span<const TaskEvent> events) = 0;
};

// Hands `contents` to `consumer` in one piece, with the finished flags its events imply.
Status FeedRecovery(JournalContents& contents, RecoveryConsumer* consumer);

class JournalStore {
 public:
  virtual ~JournalStore() = default;

  // Appends to the open batch. REQUIRES: submission indices continue the dense sequence.
  virtual Status AppendSubmissions(std::span<const Submission> submissions) = 0;
  virtual Status AppendEvents(std::span<const TaskEvent> events) = 0;
  // Appends running attempts' metrics. REQUIRES: their tasks were submitted (InvalidArgument).
  virtual Status AppendMetrics(std::span<const MetricPoint> metrics) = 0;
  // Appends what the scenario policy decided. REQUIRES: their tasks were submitted.
  virtual Status AppendScenarioDecisions(std::span<const ScenarioDecision> decisions) = 0;
  // Sets a key in the campaign's metadata (e.g. "cores"), in the open batch.
  virtual Status PutMeta(const std::string& key, const std::string& value) = 0;
  // Makes the open batch durable; on failure nothing of the batch is visible after a reopen.
  virtual Status Commit() = 0;
  // Everything committed so far.
  virtual Result<JournalContents> Load() = 0;
  // The committed value of a metadata key (PutMeta); none when it was never set. By default,
  // from Load().
  virtual Result<std::optional<std::string>> GetMeta(const std::string& key);
  // Hands what recovering a scheduler needs of everything committed so far to `consumer`:
  // every submission (a store may give finished tasks brief, without decoding their whole
  // specs, and hand them on while it still reads the events), then the events, which it may
  // hand on as it reads them. Restarting a large campaign then costs little more than reading
  // its events. By default, from Load(), in one piece.
  virtual Status LoadForRecovery(RecoveryConsumer* consumer);
  // Every committed metric, in append order (a scenario policy is rebuilt from them on
  // --resume). By default, from Load().
  virtual Result<std::vector<MetricPoint>> LoadMetrics();
};

}  // namespace allot
