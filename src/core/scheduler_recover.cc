// Scheduler: Recover, in three steps. (1) BeginRecover: the journal's submissions become tasks,
// checked like any batch, in the initial states the journal says. (2) ReplayRecovered: its
// events are replayed through the same EventFold as live transitions (so records, counts,
// profiles and totals come out as the writer had them). (3) FinishRecover: what was in flight
// when the journal ended is settled.
#include <algorithm>

#include "core/scheduler.h"

namespace allot {

Status Scheduler::Recover(std::span<const Submission> submissions,
                          std::span<const TaskEvent> events, RecoverMode mode) {
  std::vector<bool> finished(submissions.size(), false);
  for (const TaskEvent& e : events) {
    if (e.task < finished.size()) finished[e.task] = IsTerminal(e.to);
  }
  ALLOT_RETURN_IF_ERROR(StartRecovery(submissions, {}, finished, mode));
  ALLOT_RETURN_IF_ERROR(ReplayRecovered(events));
  return FinishRecover();
}

Status Scheduler::BeginRecover(std::span<Submission> submissions,
                               const std::vector<bool>& finished, RecoverMode mode) {
  return StartRecovery(submissions, submissions, finished, mode);
}

Status Scheduler::BeginRecoverShared(std::shared_ptr<std::vector<Submission>> submissions,
                                     const std::vector<bool>& finished, RecoverMode mode) {
  if (submissions == nullptr) return Status::InvalidArgument("journal: no submissions");
  std::span<Submission> all(*submissions);
  return StartRecovery(all, all, finished, mode, std::move(submissions));
}

Status Scheduler::StartRecovery(std::span<const Submission> submissions,
                                std::span<Submission> movable,
                                const std::vector<bool>& finished, RecoverMode mode,
                                std::shared_ptr<std::vector<Submission>> block) {
  if (tasks_.size() != 0 || recovery_ != nullptr) {
    return Status::FailedPrecondition("Recover on a non-empty scheduler");
  }
  if (finished.size() != submissions.size()) {
    return Status::InvalidArgument("journal: " + std::to_string(finished.size()) +
                                   " finished flags for " + std::to_string(submissions.size()) +
                                   " tasks");
  }
  for (size_t i = 0; i < submissions.size(); ++i) {
    if (submissions[i].index != i) {
      return Status::Corruption("journal: submission " + std::to_string(i) + " has index " +
                                std::to_string(submissions[i].index));
    }
    if (!IsInitialState(submissions[i].initial_state)) {
      return Status::Corruption("journal: task '" + submissions[i].spec.id + "' submitted as " +
                                std::string(TaskStateName(submissions[i].initial_state)));
    }
    if (submissions[i].brief && !finished[i]) {
      return Status::Corruption("journal: task '" + submissions[i].spec.id +
                                "' came without its spec but has not finished");
    }
  }
  // Tasks that ended for good in the journal never need their spec here: the table keeps
  // their id and brief only (the replay reads the journal's specs where it learns), and a
  // journal may give them brief. Nor need they fit: they never run again.
  BatchDeps deps;
  ALLOT_RETURN_IF_ERROR(
      BeginBatch(SpecBatch(submissions), &deps, &finished).WithPrefix("journal"));
  std::shared_ptr<const std::vector<Submission>> keep = block;
  const TaskIndex first = tasks_.CommitRecovered(submissions, finished, movable, std::move(block));
  // The ready queue is built once, after the replay (ready_ stays empty until then).
  AddTasks(first, deps, nullptr, /*push_ready=*/false);
  // A task that finished and was requeued keeps its spec through the replay of its finish.
  tasks_.set_keep_specs(true);
  // Initial states come from the journal, not from today's dependency states.
  for (const Submission& s : submissions) {
    if (tasks_.state(s.index) != s.initial_state) tasks_.SetState(s.index, s.initial_state);
  }
  recovery_ = std::make_unique<Recovery>();
  recovery_->submissions = submissions;
  recovery_->keep = std::move(keep);
  recovery_->mode = mode;
  return Status::Ok();
}

Status Scheduler::ReplayRecovered(std::span<const TaskEvent> events) {
  if (recovery_ == nullptr) {
    return Status::FailedPrecondition("ReplayRecovered before BeginRecover");
  }
  const bool keep_starts = recovery_->mode == RecoverMode::kAwaitWorkers;
  for (const TaskEvent& e : events) {
    ALLOT_RETURN_IF_ERROR(fold_.Check(e));
    // The table holds an unfinished task's spec (moved there); a finished one's is the
    // journal's (perhaps brief).
    fold_.Apply(e, nullptr,
                tasks_.has_spec(e.task) ? nullptr : &recovery_->submissions[e.task].spec);
    if (!keep_starts) continue;
    if (StartsAttempt(e.from, e.to)) {
      LastStart& start = recovery_->last_start[e.task];
      start.wall_time_us = e.wall_time_us;
      start.cores = e.cores;
      start.gpus = e.gpus;
      start.memory_bytes = e.memory_bytes;
      start.paused_us = 0;
      start.paused_since_us.reset();
    } else if (e.from == TaskState::kRunning && e.to == TaskState::kPaused) {
      if (auto it = recovery_->last_start.find(e.task); it != recovery_->last_start.end()) {
        it->second.paused_since_us = e.wall_time_us;
      }
    } else if (e.from == TaskState::kPaused && e.to == TaskState::kRunning) {
      if (auto it = recovery_->last_start.find(e.task); it != recovery_->last_start.end()) {
        LastStart& start = it->second;
        if (start.paused_since_us) {
          start.paused_us += std::max<int64_t>(0, e.wall_time_us - *start.paused_since_us);
        }
        start.paused_since_us.reset();
      }
    } else if (EndsAttempt(e.from, e.to)) {
      recovery_->last_start.erase(e.task);
    }
  }
  return Status::Ok();
}

Status Scheduler::FinishRecover() {
  if (recovery_ == nullptr) return Status::FailedPrecondition("FinishRecover before BeginRecover");
  std::unique_ptr<Recovery> recovery = std::move(recovery_);
  tasks_.set_keep_specs(false);
  for (TaskIndex t = 0; t < tasks_.size(); ++t) {
    tasks_.ReleaseIfFinished(t);
    if (!tasks_.has_spec(t) && !IsTerminal(tasks_.state(t))) {
      return Status::Corruption("journal: task '" + tasks_.id(t) +
                                "' was said to have finished but its events leave it " +
                                std::string(TaskStateName(tasks_.state(t))));
    }
  }
  {
    std::vector<std::pair<TaskIndex, int>> ready;
    ready.reserve(static_cast<size_t>(counts()[static_cast<int>(TaskState::kReady)]));
    for (TaskIndex t = 0; t < tasks_.size(); ++t) {
      if (tasks_.state(t) == TaskState::kReady) {
        ApplyLearned(t);
        ready.emplace_back(t, tasks_.spec(t).priority);
        if (tasks_.spec(t).resources.nodes > 1) ready_gangs_.insert(t);
      }
    }
    ready_.Assign(ready);
    if (fair_share_) {
      for (const auto& [t, priority] : ready) {
        fair_share_->Add(ProjectOf(tasks_.spec(t)));
        project_ready_[ProjectOf(tasks_.spec(t))].Push(t, priority);
      }
    }
  }
  SettleRecovered(*recovery);
  dirty_ = true;
  return Status::Ok();
}

void Scheduler::SettleRecovered(const Recovery& recovery) {
  const RecoverMode mode = recovery.mode;
  const TimePoint now = clock_->Now();
  const int64_t wall_now = clock_->WallMicros();
  for (TaskIndex t = 0; t < tasks_.size(); ++t) {
    const TaskState state = tasks_.state(t);
    if (IsActive(state) && mode == RecoverMode::kAwaitWorkers) {
      // Unattached until its worker reports it. It started when the journal says.
      const uint32_t attempt = tasks_.record(t).attempts;
      Running& r = running_[t];
      if (Preemptible(t)) ++preemptible_running_;
      r.execution = MakeExecutionId(t, attempt);
      r.worker = kNoWorker;
      auto it = recovery.last_start.find(t);
      if (it != recovery.last_start.end()) {
        const LastStart& e = it->second;
        r.allocation.cpus = e.cores;
        r.allocation.gpus = e.gpus;
        r.allocation.memory_bytes = e.memory_bytes;
        r.started =
            now - std::chrono::microseconds(std::max<int64_t>(0, wall_now - e.wall_time_us));
        // Time paused before the restart does not count against its limit either.
        r.paused_for = std::chrono::microseconds(e.paused_us);
        if (e.paused_since_us) {
          r.paused_since = now - std::chrono::microseconds(
                                     std::max<int64_t>(0, wall_now - *e.paused_since_us));
        }
      } else {
        r.started = now;
        if (state == TaskState::kPaused) r.paused_since = now;
      }
      const TaskSpec& spec = tasks_.spec(t);
      r.allocation.custom = spec.resources.custom;
      if (state != TaskState::kPaused) ArmTimeLimit(t, r);
      continue;
    }
    if (IsActive(state)) {
      Transition(t, TaskState::kLost,
                 "allot stopped while attempt " + std::to_string(tasks_.record(t).attempts) +
                     " ran");
    }
    const TaskRecord& rec = tasks_.record(t);
    if (rec.state == TaskState::kLost || rec.state == TaskState::kPreempted) {
      if (rec.crashes > options_.crash_limit) {
        Fail(t, "interrupted " + std::to_string(rec.crashes) + " times (crash limit " +
                    std::to_string(options_.crash_limit) + ")", nullptr);
      } else {
        Transition(t, TaskState::kReady, "runs again after an interruption");
      }
    } else if (rec.state == TaskState::kWaiting && graph_.unmet(t) == 0) {
      Transition(t, TaskState::kReady, "retry backoff cut short by a restart");
    }
  }
  for (TaskIndex t = 0; t < tasks_.size(); ++t) {
    if (IsUnsuccessful(tasks_.state(t)) && !Satisfies(t)) SkipDescendants(t);
  }
}

}  // namespace allot
