// ScheduleReplay: runs a workload through the REAL scheduler core (Scheduler + its policy)
// with a simulated clock and a simulated launcher, and says when each task started and ended.
// "The policy that will really run", without processes: for the policy benchmark
// (bench/policy_bench.cc), for comparing policies, and for forecasts that want the real
// placement instead of a simplified list schedule.
//
// The event loop, one turn per distinct instant, in this order (the server loop's order):
//   1. the clock moves to the next instant: the earliest of the next submission, the next
//      attempt end (start + its duration) and the scheduler's next timer;
//   2. every task due by then is submitted (tasks due at one instant form one batch, in input
//      order, so a batch may depend on itself and on earlier batches);
//   3. every attempt ending by then is reported exited (exit code from the task, wall time =
//      its duration), then due timers fire (time limits send SIGTERM: the simulated attempt
//      ends at once, killed, timed out);
//   4. Schedule(); the Outbox is drained: each launch becomes an attempt ending at
//      now + duration; SIGTERM/SIGKILL end a live attempt now; other signals are ignored.
// Repeated until every task is terminal.
//
// Deterministic: the same tasks, machine, options and policy give the same result, bit for
// bit. Simplifications: attempts run exactly their duration (an elastic task runs as long on
// any core count), never pause, use no memory beyond their request, and start from an idle
// machine (to model work already running, submit it first, at offset 0, with its remaining
// time and a priority that puts it first). Cost: that of the scheduler's own passes plus
// O(log n) per attempt; ~100k tasks in well under a second on one core (policy_bench).
//
// Thread-compatible; Run() may be called more than once (each run is independent).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "core/policy/scheduling_policy.h"
#include "core/scheduler.h"
#include "model/machine.h"
#include "model/task_spec.h"

namespace allot {

struct ReplayTask {
  TaskSpec spec;
  Duration submit_at{0};  // from the replay's start; REQUIRES: >= 0
  Duration duration{0};   // of every attempt; REQUIRES: >= 0
  int exit_code = 0;      // of every attempt (non-zero: retried per spec.max_retries)
};

// One task's fate, times from the replay's start.
struct ReplayTaskRecord {
  Duration submitted{0};
  std::optional<Duration> first_start;  // none: it never ran (skipped, canceled)
  Duration ended{0};                    // when it became terminal
  int cores = 0;                        // of its last attempt
  uint32_t attempts = 0;
  TaskState state = TaskState::kWaiting;  // terminal
};

struct ReplayResult {
  std::vector<ReplayTaskRecord> tasks;  // in input order
  Duration makespan{0};                 // from 0 to the last task's end
  double core_seconds = 0;              // sum over attempts of cores x run time
  int64_t launches = 0;                 // scheduling decisions taken
  int64_t turns = 0;                    // event-loop turns
};

class ScheduleReplay {
 public:
  // Makes the policy for a run; null: the Scheduler's default (PriorityBackfillPolicy with
  // options.backfill_depth and options.backfill_patience).
  using PolicyFactory = std::function<std::unique_ptr<SchedulingPolicy>()>;

  ScheduleReplay(Machine machine, SchedulerOptions options, PolicyFactory policy = nullptr);

  // Replays `tasks`. InvalidArgument when the scheduler refuses a batch (duplicate id,
  // unknown dependency, a request the machine can never fit: the Submit message) or a time is
  // negative; FailedPrecondition when tasks remain unfinished with nothing left to happen
  // (a task held forever cannot be replayed).
  Result<ReplayResult> Run(const std::vector<ReplayTask>& tasks) const;

 private:
  Machine machine_;
  SchedulerOptions options_;
  PolicyFactory policy_;
};

}  // namespace allot
