#include "core/event_fold.h"

#include <string>

#include "model/output_manifest.h"


namespace allot {

Status EventFold::Check(const TaskEvent& e) const {
  if (e.task >= tasks_->size()) {
    return Status::Corruption("journal: event for unknown task index " + std::to_string(e.task));
  }
  const TaskState now = tasks_->state(e.task);
  if (now != e.from || !CanTransition(e.from, e.to)) {
    return Status::Corruption("journal: task '" + tasks_->id(e.task) + "' cannot go from " +
                              std::string(TaskStateName(e.from)) + " to " +
                              std::string(TaskStateName(e.to)) + " (it is " +
                              std::string(TaskStateName(now)) + ")");
  }
  return Status::Ok();
}

void EventFold::Apply(const TaskEvent& e, std::vector<TaskIndex>* freed, const TaskSpec* spec) {
  const TaskIndex t = e.task;
  TaskRecord& rec = tasks_->mutable_record(t);
  // Step 6's learning needs the spec, which step 1 releases when the task finishes.
  if (e.usage && EndsAttempt(e.from, e.to) && EndTeachesProfile(e.to)) {
    learner_->Record(spec != nullptr ? *spec : tasks_->spec(t), rec.held_cores, rec.held_memory,
                     *e.usage, e.to == TaskState::kSucceeded);
  }
  tasks_->SetState(t, e.to);
  if (StartsAttempt(e.from, e.to)) {
    rec.attempts = e.attempt;
    rec.held_cores = static_cast<int32_t>(e.cores.size());
    rec.held_memory = e.memory_bytes;
  }
  if (IsRequeue(e.from, e.to)) {
    // A fresh retry budget; the attempts go on from where they were.
    rec.requeued_after = rec.attempts;
    rec.crashes = 0;
    rec.memory_retries = 0;
  }
  if (e.usage && e.usage->checkpointed && EndsAttempt(e.from, e.to)) {
    // A complete checkpoint is progress: what failed or was interrupted before it no longer
    // counts against max_retries or the crash limit (a months-long run checkpoints thousands
    // of times).
    rec.requeued_after = rec.attempts;
    rec.crashes = 0;
    rec.memory_retries = 0;
  } else if (e.to == TaskState::kLost || e.to == TaskState::kPreempted) {
    ++rec.crashes;
  }
  if (e.to == TaskState::kReady && e.memory_bytes != 0) {
    tasks_->SetMemory(t, e.memory_bytes);
    ++rec.memory_retries;
  }
  if (e.to == TaskState::kSkipped && e.by_user) rec.skipped_by_user = true;
  if (e.usage) {
    rec.last_exit = e.usage->term_signal ? -e.usage->term_signal : e.usage->exit_code;
    rec.last_timed_out = e.usage->timed_out;
    totals_->cpu += e.usage->user_cpu + e.usage->sys_cpu;
    totals_->task_wall += e.usage->wall;
    ++totals_->attempts_ended;
  }
  if (e.to == TaskState::kSucceeded && e.usage) {
    if (!e.usage->outputs.empty()) tasks_->SetOutputs(t, OutputManifestPaths(e.usage->outputs));
    if (!e.usage->result.empty()) tasks_->SetResult(t, e.usage->result);
  } else if (e.from == TaskState::kSucceeded) {
    tasks_->SetOutputs(t, {});
    tasks_->SetResult(t, "");
  }
  if (e.to == TaskState::kSucceeded || (e.to == TaskState::kSkipped && e.by_user)) {
    graph_->Satisfy(t, freed);
  }
}

}  // namespace allot
