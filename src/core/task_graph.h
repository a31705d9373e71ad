// TaskGraph: who depends on whom among the scheduler's tasks, and how many dependencies of each
// task are still unmet. Edges only ever point from a task to earlier ones or to tasks of its
// own batch (a task cannot depend on one submitted later), so a new batch can only close a
// cycle within itself: CheckBatch finds those (iteratively; a million-task chain is fine).
//
// What "met" means (succeeded, or skipped by a person) is the caller's to say; the graph
// counts. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/task_event.h"

namespace allot {

// The dependencies of a batch of new tasks, resolved to indices: those of batch task i are
// deps[first[i] .. first[i + 1]).
struct BatchDeps {
  std::vector<TaskIndex> deps;
  std::vector<uint32_t> first;  // size: batch size + 1
};

class TaskGraph {
 public:
  size_t size() const { return unmet_.size(); }

  // A task of the batch (its position in the batch) that is part of a dependency cycle, or
  // none. The batch's tasks would get indices `base` ...
  static std::optional<size_t> FindCycle(TaskIndex base, const BatchDeps& deps);

  // Adds the batch's tasks (indices size() ...) and edges. A task's unmet count is the number
  // of its dependencies in the batch plus those before it for which `met` is false.
  void AddBatch(const BatchDeps& deps, const std::function<bool(TaskIndex)>& met);

  uint32_t unmet(TaskIndex t) const { return unmet_[t]; }
  const std::vector<TaskIndex>& dependents(TaskIndex t) const { return dependents_[t]; }

  // Links `t` to its dependencies `deps` again (a requeued task: a finished task recovered from
  // a journal may have come without its edges) and sets its unmet count to the number of
  // `deps` for which `met` is false. Edges already there are kept, none is added twice.
  void Relink(TaskIndex t, const std::vector<TaskIndex>& deps,
              const std::function<bool(TaskIndex)>& met);

  // `t` is now met: every dependent has one unmet dependency fewer. Appends to *freed the
  // dependents that have none left (in dependents order); freed may be null.
  void Satisfy(TaskIndex t, std::vector<TaskIndex>* freed);

 private:
  std::vector<std::vector<TaskIndex>> dependents_;
  std::vector<uint32_t> unmet_;
};

}  // namespace allot
