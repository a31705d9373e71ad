// RequeueTasks: a person's requeue (Slurm's `scontrol requeue`) of finished tasks, for both
// forms: `allot requeue` on a server and `allot run --resume --retry-failed`. The core holds no
// spec of a finished task; this reads the specs of the tasks that come back (the roots and the
// dependents skipped because of them, Scheduler::RequeueSet) from the journal and hands them to
// Scheduler::Requeue. The caller persists the outbox.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "core/scheduler.h"
#include "model/task_spec.h"

namespace allot {

// Reads the spec of one task from the journal.
using SpecReader = std::function<Result<TaskSpec>(TaskIndex)>;

// The tasks `refs` name: ids, or glob patterns as depends_on takes them (`sim-*`), each of which
// must match at least one task. NotFound naming the first ref that names nothing.
Result<std::vector<TaskIndex>> ResolveRequeueRefs(const Scheduler& scheduler,
                                                  const std::vector<std::string>& refs);

// Every task in one of `states`, in index order.
std::vector<TaskIndex> TasksIn(const Scheduler& scheduler, std::span<const TaskState> states);

// Requeues `roots` with their specs from `read_spec`; *requeued (may be null) gets the tasks
// that came back. FailedPrecondition naming the task, changing nothing, when one may not be
// requeued (Scheduler::CheckRequeue, Scheduler::Requeue).
Status RequeueTasks(Scheduler* scheduler, std::span<const TaskIndex> roots,
                    const SpecReader& read_spec, std::vector<TaskIndex>* requeued);

class JournalStore;

// `allot run --resume --retry-failed`: requeues every failed and canceled task with the specs
// of the journal's submissions, and commits the requeue to `journal`. The number of tasks
// that came back (dependents included).
Result<int> RequeueUnsuccessful(Scheduler* scheduler, JournalStore* journal);

}  // namespace allot
