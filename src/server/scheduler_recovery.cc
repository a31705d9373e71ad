#include "server/scheduler_recovery.h"

namespace allot {

Status SchedulerRecovery::OnTasks(std::span<Submission> submissions,
                                  const std::vector<bool>& finished) {
  tasks_ = submissions.size();
  return scheduler_->BeginRecover(submissions, finished, mode_);
}

Status SchedulerRecovery::OnTaskBlock(std::shared_ptr<std::vector<Submission>> submissions,
                                      const std::vector<bool>& finished) {
  tasks_ = submissions->size();
  return scheduler_->BeginRecoverShared(std::move(submissions), finished, mode_);
}

Status SchedulerRecovery::OnEvents(std::span<const TaskEvent> events) {
  ALLOT_RETURN_IF_ERROR(scheduler_->ReplayRecovered(events));
  events_ += static_cast<int64_t>(events.size());
  if (on_events_) on_events_(events);
  return Status::Ok();
}

Result<RecoveredCounts> RecoverFromJournal(
    JournalStore* journal, Scheduler* scheduler, RecoverMode mode,
    std::function<void(std::span<const TaskEvent>)> on_events) {
  SchedulerRecovery recovery(scheduler, mode, std::move(on_events));
  ALLOT_RETURN_IF_ERROR(journal->LoadForRecovery(&recovery));
  ALLOT_RETURN_IF_ERROR(scheduler->FinishRecover());
  return RecoveredCounts{recovery.tasks(), recovery.events()};
}

}  // namespace allot
