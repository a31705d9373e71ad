// SchedulingPolicy: decides which ready tasks start now. Policy only: it reads a snapshot of
// the queue and of free resources and returns choices; the Scheduler (mechanism) applies them.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/time.h"
#include "core/ready_queue.h"
#include "core/resource_pool.h"
#include "model/task_spec.h"

namespace allot {

// How long an attempt of `spec` runs at the most, as far as anyone knows: its estimate, else
// its time limit plus the grace period; none when it has neither.
inline std::optional<Duration> ExpectedRuntime(const TaskSpec& spec) {
  if (spec.time_estimate) return *spec.time_estimate;
  if (spec.time_limit) return *spec.time_limit + spec.grace_period;
  return std::nullopt;
}

// A running attempt as the policy sees it: what it holds and when it will end at the latest.
struct RunningView {
  ResourceAmounts held;
  std::optional<TimePoint> expected_end;  // start + (estimate or limit); none when unknown
};

struct PolicyInput {
  TimePoint now;
  const ReadyQueue* ready = nullptr;
  std::function<const TaskSpec&(TaskIndex)> spec;
  ResourceAmounts free;
  // What the worker has in all; tasks that could never fit it are passed over (they neither
  // start nor block the queue here). None: every task could fit.
  std::optional<ResourceAmounts> capacity;
  int start_slots = 0;                  // how many more may start (--max-workers); large if none
  // What runs on the worker now. A function: building the list costs a pass over the running
  // attempts, and only a reservation (the head does not fit) needs it. Empty: nothing runs.
  std::function<std::vector<RunningView>()> running;
  // A queued task's expected run time: as ExpectedRuntime(spec), but with what its profile
  // learned when it declares no estimate (the Scheduler). Empty: ExpectedRuntime(spec).
  std::function<std::optional<Duration>(TaskIndex)> expected;
  // When the allocation ends (SchedulerOptions::ends_at, or the worker's own end): a task that
  // would not end by then is passed over (EndsTooLate).
  std::optional<TimePoint> ends_at;
  // How long before ends_at a checkpointing task is asked for its last checkpoint (what its
  // checkpoints took, plus slack; Scheduler::CheckpointLead); empty or 0: not asked early.
  std::function<Duration(TaskIndex)> end_lead;
  // What runs the worker's tasks (Machine::executor): a task of another executor
  // (TaskSpec::executor) is passed over, as one that could never fit.
  std::string executor;
  // Multi-node tasks (ResourceRequest::nodes > 1): whether this worker is one of the N the
  // task may be held on or reserve now (the Scheduler's choice: core/scheduler_gang.cc). On
  // the others it is passed over (it neither holds nor blocks anything there). Empty: every
  // multi-node task is passed over.
  std::function<bool(TaskIndex)> gang_here;
};

// Whether queued task `t` runs on this worker at all: its executor is the worker's.
inline bool OtherExecutor(const PolicyInput& in, TaskIndex t) {
  return in.spec(t).executor != in.executor;
}

// The expected run time of queued task `t` as `in` knows it.
inline std::optional<Duration> ExpectedRuntimeOf(const PolicyInput& in, TaskIndex t) {
  return in.expected ? in.expected(t) : ExpectedRuntime(in.spec(t));
}

// Whether queued task `t`, started now, would still run when the allocation ends: its
// expected run time (its time_estimate, else what its profile learned, else its time_limit)
// reaches past in.ends_at. The estimate, not a generous limit, says whether it is worth
// starting: a 24 h limit on a 1 h simulation must not idle a 3 h allocation. A task with none
// of them is started (nothing says it will not fit).
// A checkpointing task is not started either once its last checkpoint before the end is due
// (in.end_lead): it would be asked for it at once.
inline bool EndsTooLate(const PolicyInput& in, TaskIndex t) {
  if (!in.ends_at) return false;
  if (in.end_lead) {
    const Duration lead = in.end_lead(t);
    if (lead > Duration(0) && in.now + lead >= *in.ends_at) return true;
  }
  const std::optional<Duration> runtime = ExpectedRuntimeOf(in, t);
  return runtime && in.now + *runtime > *in.ends_at;
}

struct Choice {
  TaskIndex task = 0;
  int cores = 0;  // for elastic tasks: between min and max
  // A multi-node task whose node share fits here: not started by this worker alone. Its share
  // is kept out of what the rest of this pass uses, and the Scheduler starts it when enough
  // workers held it in the same pass (gang placement; core/scheduler_gang.cc). Takes no start
  // slot.
  bool hold = false;
};

// Whether `t` spans several workers (ResourceRequest::nodes > 1).
inline bool IsMultiNode(const PolicyInput& in, TaskIndex t) {
  return in.spec(t).resources.nodes > 1;
}

// Whether `t` (whose request is `r`) is a multi-node task that is not for this worker now
// (PolicyInput::gang_here).
inline bool MultiNodeElsewhere(const PolicyInput& in, TaskIndex t, const ResourceRequest& r) {
  return r.nodes > 1 && (!in.gang_here || !in.gang_here(t));
}

// Why the first task that could not start is waiting, for "why is my task waiting".
struct Blocked {
  TaskIndex task = 0;
  std::string reason;
};

class SchedulingPolicy {
 public:
  virtual ~SchedulingPolicy() = default;
  // Appends the tasks to start now, in launch order, and sets *blocked when the queue head
  // could not start. Must never choose more than input.free holds in total (held multi-node
  // shares included). A multi-node task is held where its node share fits (Choice::hold), and
  // otherwise treated like any task that does not fit (it may be the head with a reservation).
  virtual void Choose(const PolicyInput& input, std::vector<Choice>* out,
                      std::optional<Blocked>* blocked) = 0;
};

}  // namespace allot
