// PolicySimulator: runs the unfinished tasks once, given each task's duration, through the
// scheduling policy the Scheduler runs (core/policy/: PriorityBackfillPolicy unless given
// another), and says when the last one ends. What the forecast repeats for every Monte Carlo
// run. It replays the Scheduler's placement mechanism (scheduler_placement.cc) around the
// policy, not a look-alike of the policy:
//   1. Running tasks hold their cores on their worker from time 0 (started `elapsed` before)
//      until their remaining time is over.
//   2. A queued task enters the ReadyQueue (priority, then index) when all its dependencies
//      have ended.
//   3. At time 0 and whenever tasks end (all those ending at one instant release their cores
//      first), one scheduling pass, as Scheduler::Schedule: every worker with free cores, in
//      order, is offered to SchedulingPolicy::Choose with its free cores, its capacity, the
//      start slots left under max_running, and its running attempts with their expected ends
//      (start + time_estimate, else time_limit + grace); the chosen tasks start with the
//      cores the policy gave them (elastic tasks up to their max).
// What it leaves out: memory, GPUs and custom resources (cores only), retries, learning
// during the run (each task's time_estimate is fixed when the simulator is created), and the
// policy's memory of earlier passes (a head blocked before the snapshot starts its patience
// again at time 0).
//
// Why not ScheduleReplay (core/replay/): that runs the whole Scheduler from an idle machine,
// so the attempts already running can only be resubmitted (not pinned to their worker and
// cores), and a Monte Carlo of hundreds of runs over 10k tasks would take seconds. This
// drives the same policy object through the same placement loop, on plain arrays.
//
// Create validates the input once (indices, cycles, fit); Run then cannot fail. Cost of Run:
// one policy pass per distinct end time and worker with free cores, each O(ready tasks walked,
// at most the head's position + backfill depth); it reuses its buffers across runs. Not
// thread-safe (Run reuses scratch state).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "common/result.h"
#include "core/forecast/forecast_input.h"
#include "core/policy/scheduling_policy.h"
#include "core/ready_queue.h"
#include "model/task_spec.h"

namespace allot {

class PolicySimulator {
 public:
  struct Outcome {
    int64_t makespan_us = 0;  // from time 0 until the last task ends
    double core_seconds = 0;  // sum of cores held x duration
  };

  // InvalidArgument naming the task when: a dependency index is out of range or a task
  // depends on itself; the dependencies form a cycle; a queued task needs more cores than
  // the largest worker has; a running task's worker is out of range or has too few free
  // cores (or, without a worker, fits on none). `estimates`, when not empty (one per task),
  // replaces each task's time_estimate as the policy sees it (the learned one). `policy`
  // makes a fresh policy for each run (policies may keep state between passes, as the
  // backfill's patience does); null: PriorityBackfillPolicy with the input's depth and
  // patience, as the Scheduler makes it.
  using PolicyFactory = std::function<std::unique_ptr<SchedulingPolicy>()>;
  static Result<PolicySimulator> Create(const ForecastInput& input,
                                        std::vector<std::optional<Duration>> estimates = {},
                                        PolicyFactory policy = nullptr);

  size_t task_count() const { return specs_.size(); }

  // REQUIRES: durations_us.size() == task_count(); for a running task its remaining time.
  Outcome Run(const std::vector<int64_t>& durations_us);

 private:
  PolicySimulator() = default;

  void SchedulePass(int64_t now, const std::vector<int64_t>& durations_us);
  void Start(int32_t task, int cores, int worker, int64_t start_us, int64_t duration_us);
  std::vector<RunningView> RunningOn(int worker) const;

  // Fixed by Create.
  std::vector<TaskSpec> specs_;            // what the policy reads: cores, priority, estimates
  std::vector<bool> running_at_start_;     // by task
  std::vector<int64_t> elapsed_us_;        // by task: running ones
  std::vector<int> initial_worker_;        // by task: running ones
  std::vector<int32_t> dependents_start_;  // CSR: dependents of task t are
  std::vector<int32_t> dependents_;        //   dependents_[start[t] .. start[t + 1])
  std::vector<int32_t> initial_waiting_;   // by task: unfinished deps (queued tasks)
  std::vector<int> capacity_;              // cores by worker
  int max_running_ = 0;
  PolicyFactory make_policy_;
  std::unique_ptr<SchedulingPolicy> policy_;  // this run's

  // Scratch, reset by Run.
  ReadyQueue ready_;
  std::vector<int> free_;                     // cores by worker
  std::vector<std::vector<int32_t>> on_worker_;  // running tasks by worker
  std::vector<int32_t> waiting_;
  std::vector<int> worker_of_;
  std::vector<int> held_;         // cores by running task
  std::vector<int64_t> start_us_;  // by running task
  size_t running_ = 0;
  struct Event {
    int64_t end_us;
    int32_t task;
  };
  std::vector<Event> events_;  // min-heap by (end_us, task)
  std::vector<Choice> choices_;
  double core_seconds_ = 0;
};

}  // namespace allot
