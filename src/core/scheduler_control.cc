// Scheduler: a person's cancel, pause, resume, skip, hold and release.
#include <algorithm>
#include <csignal>
#include <string>
#include <vector>

#include "core/scheduler.h"
#include "model/task_id.h"

namespace allot {

Status Scheduler::CheckControl(TaskIndex t, ControlAction action,
                               std::optional<uint32_t> attempt) const {
  const TaskRecord& rec = tasks_.record(t);
  const std::string& id = tasks_.id(t);
  const std::string state(TaskStateName(rec.state));
  const bool running = IsActive(rec.state);
  if (attempt) {
    if (!running || *attempt != rec.attempts) {
      return Status::FailedPrecondition(
          "execution '" + ExecutionRef(id, *attempt) + "' is not running (task '" + id +
          "' is " + state +
          (rec.attempts > 0 ? ", its current attempt is " + std::to_string(rec.attempts) : "") +
          ")");
    }
  }
  auto refuse = [&](const std::string& what) {
    return Status::FailedPrecondition("task '" + id + "' is " + state + "; " + what);
  };
  switch (action) {
    case ControlAction::kCancel:
      if (IsTerminal(rec.state)) return refuse("only an unfinished task can be canceled");
      return Status::Ok();
    case ControlAction::kSkip:
      if (rec.state != TaskState::kWaiting && rec.state != TaskState::kReady &&
          rec.state != TaskState::kHeld) {
        return refuse(running ? "it has started; cancel it instead"
                              : "only a waiting, ready or held task can be skipped");
      }
      return Status::Ok();
    case ControlAction::kHold:
      if (rec.state != TaskState::kWaiting && rec.state != TaskState::kReady) {
        return refuse(running ? "it has started; pause it instead"
                              : "only a waiting or ready task can be held");
      }
      return Status::Ok();
    case ControlAction::kRelease:
      if (rec.state != TaskState::kHeld) return refuse("only a held task can be released");
      return Status::Ok();
    case ControlAction::kPause:
      if (rec.state != TaskState::kRunning) return refuse("only a running task can be paused");
      if (CancelPending(t)) return refuse("it is being canceled");
      return Status::Ok();
    case ControlAction::kResume:
      if (rec.state != TaskState::kPaused) return refuse("only a paused task can be resumed");
      return Status::Ok();
    case ControlAction::kCheckpoint:
      if (rec.state != TaskState::kRunning) {
        return refuse("only a running task can be asked for a checkpoint");
      }
      if (!tasks_.spec(t).checkpoint) {
        return Status::FailedPrecondition("task '" + id +
                                          "' declares no checkpoint (the task file's "
                                          "'checkpoint' field)");
      }
      if (CancelPending(t)) return refuse("it is being canceled");
      return Status::Ok();
  }
  return Status::Internal("unknown action");
}

void Scheduler::Control(TaskIndex t, ControlAction action) {
  const TaskRecord& rec = tasks_.record(t);
  EventFacts by_user;
  by_user.by_user = true;
  switch (action) {
    case ControlAction::kCancel: {
      auto it = running_.find(t);
      if (it == running_.end()) {
        Transition(t, TaskState::kCanceled, "canceled", by_user);
        SkipDescendants(t);
        return;
      }
      Running& r = it->second;
      if (r.cancel_sent) return;
      r.cancel_sent = true;
      if (!r.term_sent) Signal(r, SIGTERM);
      if (rec.state == TaskState::kPaused) Signal(r, SIGCONT);
      r.term_sent = true;
      timers_.Add({clock_->Now() + tasks_.spec(t).grace_period, TimerKind::kKillAfterGrace, t,
                   rec.attempts});
      return;
    }
    case ControlAction::kSkip:
      // The fold marks it skipped by a person, which frees its dependents.
      Transition(t, TaskState::kSkipped, "skipped", by_user);
      return;
    case ControlAction::kPause: {
      Running& r = running_.at(t);
      Transition(t, TaskState::kPaused, "paused", by_user);
      Signal(r, SIGSTOP);
      r.paused_since = clock_->Now();
      r.limit_due.reset();  // the time limit stops counting until it resumes
      return;
    }
    case ControlAction::kResume: {
      Running& r = running_.at(t);
      Transition(t, TaskState::kRunning, "resumed", by_user);
      Signal(r, SIGCONT);
      if (r.paused_since) r.paused_for += clock_->Now() - *r.paused_since;
      r.paused_since.reset();
      ArmTimeLimit(t, r);  // what is left of the limit counts from now
      return;
    }
    case ControlAction::kCheckpoint:
      Signal(running_.at(t), tasks_.spec(t).checkpoint->signal);
      return;
    case ControlAction::kHold:
      // Out of the ready queue (Transition); dependencies that finish meanwhile free it no
      // further than the graph's count, which Release reads.
      Transition(t, TaskState::kHeld, "held", by_user);
      return;
    case ControlAction::kRelease:
      Transition(t, graph_.unmet(t) == 0 ? TaskState::kReady : TaskState::kWaiting, "released",
                 by_user);
      return;
  }
}

}  // namespace allot
