// SchedulerRecovery: a Scheduler recovered from a journal as the journal is read
// (JournalStore::LoadForRecovery hands it the tasks, which go to Scheduler::BeginRecover while
// the journal still reads the events, then the events as they are read, to ReplayRecovered).
// RecoverFromJournal is the whole of it, ending with Scheduler::FinishRecover.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "core/scheduler.h"
#include "journal/journal_store.h"

namespace allot {

class SchedulerRecovery final : public RecoveryConsumer {
 public:
  // `on_events`, when set, sees each piece of events after the scheduler replayed it.
  SchedulerRecovery(Scheduler* scheduler, RecoverMode mode,
                    std::function<void(std::span<const TaskEvent>)> on_events = nullptr)
      : scheduler_(scheduler), mode_(mode), on_events_(std::move(on_events)) {}

  Status OnTasks(std::span<Submission> submissions,
                 const std::vector<bool>& finished) override;
  Status OnTaskBlock(std::shared_ptr<std::vector<Submission>> submissions,
                     const std::vector<bool>& finished) override;
  Status OnEvents(std::span<const TaskEvent> events) override;

  size_t tasks() const { return tasks_; }
  int64_t events() const { return events_; }

 private:
  Scheduler* scheduler_;
  RecoverMode mode_;
  std::function<void(std::span<const TaskEvent>)> on_events_;
  size_t tasks_ = 0;
  int64_t events_ = 0;
};

// What RecoverFromJournal read.
struct RecoveredCounts {
  size_t tasks = 0;
  int64_t events = 0;
};

// Recovers `scheduler` (empty) from everything `journal` holds, settling what was in flight
// per `mode`. The journal's error, or Recover's (Corruption naming the task).
Result<RecoveredCounts> RecoverFromJournal(
    JournalStore* journal, Scheduler* scheduler, RecoverMode mode,
    std::function<void(std::span<const TaskEvent>)> on_events = nullptr);

}  // namespace allot
