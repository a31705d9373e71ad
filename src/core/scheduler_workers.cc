// Scheduler: workers joining, leaving, draining, and attempts recovered unattached.
#include <algorithm>
#include <csignal>
#include <string>
#include <vector>

#include "core/scheduler.h"

namespace allot {

std::optional<WorkerId> Scheduler::WorkerOf(TaskIndex t) const {
  auto it = running_.find(t);
  if (it == running_.end()) return std::nullopt;
  return it->second.worker;
}

bool Scheduler::CancelPending(TaskIndex t) const {
  auto it = running_.find(t);
  return it != running_.end() && it->second.cancel_sent;
}

Status Scheduler::AddWorker(WorkerId id, std::string name, Machine machine,
                            std::span<const ReportedAttempt> running) {
  if (id == kNoWorker || workers_.count(id) != 0) {
    return Status::AlreadyExists("worker " + std::to_string(id) + " is already registered");
  }
  WorkerSlot& w =
      workers_.emplace(id, WorkerSlot{id, std::move(name), ResourcePool(std::move(machine))})
          .first->second;
  for (const ReportedAttempt& a : running) {
    const TaskIndex t = TaskOfExecution(a.execution);
    auto it = running_.find(t);
    bool attached = false;
    // A multi-node attempt is not attached again (its other nodes are not known after a
    // restart): killed here, it runs again once ExpireUnattached gives up on it.
    if (t < tasks_.size() && it != running_.end() && it->second.execution == a.execution &&
        it->second.worker == kNoWorker && tasks_.spec(t).resources.nodes <= 1) {
      Allocation claim;
      claim.cpus = a.cpus;
      claim.gpus = a.gpus;
      claim.memory_bytes = a.memory_bytes;
      claim.custom = tasks_.spec(t).resources.custom;
      if (w.pool.Claim(claim)) {
        Running& r = it->second;
        r.worker = id;
        r.allocation = std::move(claim);
        ++w.running;
        attached = true;
        if (r.term_sent) Signal(r, SIGTERM);  // ordered while it was unreachable
        if (r.cancel_sent && tasks_.state(t) == TaskState::kPaused) Signal(r, SIGCONT);
      }
    }
    if (!attached) outbox_.signals.push_back({id, a.execution, SIGKILL});
  }
  dirty_ = true;
  return Status::Ok();
}

void Scheduler::LoseAttempt(TaskIndex t, const std::string& reason, WorkerId gone) {
  auto it = running_.find(t);
  Running r = std::move(it->second);
  running_.erase(it);
  if (Preemptible(t)) --preemptible_running_;
  ReleaseAllocation(r);
  if (!r.members.empty()) {
    node_usage_.erase(t);
    // A multi-node attempt is whole or nothing: what runs on its other nodes is killed.
    if (r.worker != gone && r.worker != kNoWorker) {
      outbox_.signals.push_back({r.worker, r.execution, SIGKILL});
    }
    for (const Member& m : r.members) {
      if (m.worker != gone) outbox_.signals.push_back({m.worker, r.execution, SIGKILL});
    }
  }
  dirty_ = true;
  if (r.preempting) preempt_reasons_.erase(t);
  checkpoint_asked_.erase(t);
  if (fair_share_) {
    fair_share_->Charge(ProjectOf(tasks_.spec(t)),
                        static_cast<double>(r.allocation.cpus.size()) *
                            ToSeconds(clock_->Now() - r.started - r.paused_for),
                        clock_->Now());
  }
  Transition(t, TaskState::kLost, reason);
  const TaskRecord& rec = tasks_.record(t);
  if (r.cancel_sent) {
    EventFacts facts;
    facts.by_user = true;
    Transition(t, TaskState::kCanceled, "canceled; its worker went away", facts);
    SkipDescendants(t);
  } else if (rec.crashes > options_.crash_limit) {
    Fail(t, reason + "; interrupted " + std::to_string(rec.crashes) + " times (crash limit " +
                std::to_string(options_.crash_limit) + ")", nullptr);
  } else {
    Transition(t, TaskState::kReady, "runs again after an interruption");
  }
}

void Scheduler::RemoveWorker(WorkerId id, const std::string& reason) {
  auto w = workers_.find(id);
  if (w == workers_.end()) return;
  std::vector<TaskIndex> lost;
  for (const auto& [t, r] : running_) {
    bool on = r.worker == id;
    for (const Member& m : r.members) on = on || m.worker == id;
    if (on) lost.push_back(t);
  }
  std::sort(lost.begin(), lost.end());
  for (TaskIndex t : lost) LoseAttempt(t, reason, id);
  workers_.erase(w);
  dirty_ = true;
}

void Scheduler::SetWorkerEnd(WorkerId id, TimePoint ends_at) {
  auto w = workers_.find(id);
  if (w == workers_.end()) return;
  w->second.ends_at = ends_at;
  dirty_ = true;
  for (const auto& [t, r] : running_) {
    if (r.worker == id) ArmEndCheckpoint(t, r);
  }
}

std::optional<TimePoint> Scheduler::EndOf(const WorkerSlot& w) const {
  if (!w.ends_at) return options_.ends_at;
  if (!options_.ends_at) return w.ends_at;
  return std::min(*w.ends_at, *options_.ends_at);
}

Duration Scheduler::CheckpointLead(TaskIndex t) const {
  if (!tasks_.spec(t).checkpoint) return Duration(0);
  auto took = checkpoint_took_.find(t);
  return 2 * (took != checkpoint_took_.end() ? took->second : longest_checkpoint_);
}

void Scheduler::ArmEndCheckpoint(TaskIndex t, const Running& r) {
  if (!tasks_.spec(t).checkpoint) return;
  auto w = workers_.find(r.worker);
  if (w == workers_.end()) return;
  std::optional<TimePoint> end = EndOf(w->second);
  if (!end) return;
  const TimePoint due = std::max(clock_->Now(), *end - CheckpointLead(t));
  timers_.Add({due, TimerKind::kEndCheckpoint, t, tasks_.record(t).attempts});
}

void Scheduler::DrainWorker(WorkerId id) {
  auto w = workers_.find(id);
  if (w == workers_.end() || w->second.draining) return;
  w->second.draining = true;
  // Checkpointing tasks are asked for their checkpoint, and run again elsewhere from it; the
  // others finish where they are.
  for (auto& [t, r] : running_) {
    if (r.worker != id || r.term_sent || r.cancel_sent || !tasks_.spec(t).checkpoint) continue;
    r.preempting = true;
    preempt_reasons_[t] = w->second.name.empty() ? std::string("its worker is draining")
                                                  : "its worker " + w->second.name + " is draining";
    AskToStop(t, r);
  }
}

bool Scheduler::HasUnattached() const {
  for (const auto& [t, r] : running_) {
    if (r.worker == kNoWorker) return true;
  }
  return false;
}

void Scheduler::ExpireUnattached(const std::string& reason) {
  std::vector<TaskIndex> lost;
  for (const auto& [t, r] : running_) {
    if (r.worker == kNoWorker) lost.push_back(t);
  }
  std::sort(lost.begin(), lost.end());
  for (TaskIndex t : lost) LoseAttempt(t, reason);
}

}  // namespace allot
