// Scheduler: a person's requeue of failed and canceled tasks (Slurm's `scontrol requeue`).
//
// A requeue brings a finished task back in two steps, because the core holds no spec of a
// finished task (TaskTable releases it; the journal keeps it) and reads no journal:
//   1. RequeueSet(roots) says which tasks may come back: the roots and every task skipped
//      because of a failure (a finished task recovered from a journal keeps no edges here, so
//      only the specs can say whose dependent it is). The caller reads their specs from the
//      journal.
//   2. Requeue(roots, specs) checks again with the specs' dependencies, gives each task its spec
//      back and moves it with one journaled transition per task: a root to ready (dependencies
//      met) or waiting, a skipped dependent (one with no dependency left that is finished
//      without success and stays so) to waiting. Each is linked to its dependencies again with
//      an unmet count from its spec (TaskGraph::Relink), which is what a restart's replay
//      arrives at too.
#include <algorithm>
#include <deque>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/scheduler.h"

namespace allot {

Status Scheduler::CheckRequeue(TaskIndex t) const {
  const TaskState s = tasks_.state(t);
  if (s == TaskState::kFailed || s == TaskState::kCanceled) return Status::Ok();
  std::string why = "only a failed or canceled task can be requeued";
  if (s == TaskState::kSkipped && !tasks_.record(t).skipped_by_user) {
    why += " (a skipped dependent comes back with the task it waited for)";
  }
  return Status::FailedPrecondition("task '" + tasks_.id(t) + "' is " +
                                    std::string(TaskStateName(s)) + "; " + why);
}

std::vector<TaskIndex> Scheduler::RequeueSet(std::span<const TaskIndex> roots) const {
  std::vector<TaskIndex> out;
  std::unordered_set<TaskIndex> seen;
  for (TaskIndex r : roots) {
    if (seen.insert(r).second) out.push_back(r);
  }
  for (TaskIndex t = 0; t < tasks_.size(); ++t) {
    if (tasks_.state(t) != TaskState::kSkipped || tasks_.record(t).skipped_by_user) continue;
    if (seen.insert(t).second) out.push_back(t);
  }
  return out;
}

Status Scheduler::Requeue(std::span<const TaskIndex> roots,
                          std::unordered_map<TaskIndex, TaskSpec> specs,
                          std::vector<TaskIndex>* requeued) {
  for (TaskIndex r : roots) ALLOT_RETURN_IF_ERROR(CheckRequeue(r));
  const std::vector<TaskIndex> candidates = RequeueSet(roots);
  for (TaskIndex t : candidates) {
    if (!specs.contains(t)) {
      return Status::InvalidArgument("requeue of task '" + tasks_.id(t) + "' without its spec");
    }
  }
  const std::unordered_set<TaskIndex> root_set(roots.begin(), roots.end());
  std::unordered_set<TaskIndex> back(candidates.begin(), candidates.end());
  // A dependency that is finished without success and does not come back: a root refuses, a
  // skipped dependent stays skipped (it still waits on that failure), and so do its dependents.
  auto blocking_dep = [&](TaskIndex t) -> std::optional<TaskIndex> {
    for (const std::string& id : specs.at(t).depends_on) {
      std::optional<TaskIndex> dep = tasks_.Find(id);
      if (!dep) continue;
      if (IsUnsuccessful(tasks_.state(*dep)) && !Satisfies(*dep) && !back.contains(*dep)) {
        return dep;
      }
    }
    return std::nullopt;
  };
  // A skipped task comes back only with a dependency that comes back.
  for (TaskIndex t : candidates) {
    if (root_set.contains(t)) continue;
    bool with_one = false;
    for (const std::string& id : specs.at(t).depends_on) {
      std::optional<TaskIndex> dep = tasks_.Find(id);
      with_one = with_one || (dep && back.contains(*dep));
    }
    if (!with_one) back.erase(t);
  }
  for (bool changed = true; changed;) {
    changed = false;
    for (TaskIndex t : candidates) {
      if (root_set.contains(t) || !back.contains(t)) continue;
      if (blocking_dep(t)) {
        back.erase(t);
        changed = true;
      }
    }
  }
  for (TaskIndex r : roots) {
    if (std::optional<TaskIndex> dep = blocking_dep(r)) {
      return Status::FailedPrecondition(
          "task '" + tasks_.id(r) + "' depends on '" + tasks_.id(*dep) + "', which is " +
          std::string(TaskStateName(tasks_.state(*dep))) + "; requeue it too");
    }
  }
  for (TaskIndex t : candidates) {
    if (!back.contains(t)) continue;
    tasks_.RestoreSpec(t, std::move(specs.at(t)));
    std::vector<TaskIndex> deps;
    for (const std::string& id : tasks_.spec(t).depends_on) {
      if (std::optional<TaskIndex> dep = tasks_.Find(id)) deps.push_back(*dep);
    }
    graph_.Relink(t, deps, [this](TaskIndex d) { return Satisfies(d); });
    EventFacts facts;
    facts.by_user = true;
    const bool root = root_set.contains(t);
    const TaskState to = graph_.unmet(t) == 0 ? TaskState::kReady : TaskState::kWaiting;
    Transition(t, to,
               root ? "requeued after " + std::to_string(tasks_.record(t).attempts) + " attempts"
                    : "requeued with its dependency",
               facts);
    if (requeued != nullptr) requeued->push_back(t);
  }
  dirty_ = true;
  return Status::Ok();
}

}  // namespace allot
