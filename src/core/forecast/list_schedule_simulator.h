// ListScheduleSimulator: runs the unfinished tasks once, given each task's duration, on the
// workers with greedy list scheduling, and says when the last one ends. The simplified model
// of the real policy that the forecast repeats for every Monte Carlo run:
//   1. Running tasks hold their cores on their worker from time 0 until their remaining time
//      is over.
//   2. A queued task becomes ready when all its dependencies have ended.
//   3. Whenever cores free up (and at time 0), ready tasks are started in priority order
//      (higher priority, then lower index) on the first worker with enough free cores.
//   4. The first ready task that fits nowhere becomes the head and reserves, on the worker
//      with the most free cores (the first such), what is free there up to its need; the
//      ready tasks behind it may then start in what is left (backfilling). The head thus
//      never starves behind a stream of smaller tasks. This is the real policy's EASY
//      backfilling in its no-estimate case (PriorityBackfillPolicy, step 2): tasks that
//      would end before the head's shadow time do not get its reserved cores here.
//   5. All tasks ending at the same instant release their cores before anything starts.
//
// Create validates the input once (indices, cycles, fit); Run then cannot fail.
// Cost of Run: O(n log n + n x B + n log W) for n tasks, B distinct core counts, W workers;
// it allocates nothing after the first run. Not thread-safe (Run reuses scratch buffers).
#pragma once

#include <cstdint>
#include <vector>

#include "common/result.h"
#include "core/forecast/forecast_input.h"

namespace allot {

class ListScheduleSimulator {
 public:
  struct Outcome {
    int64_t makespan_us = 0;  // from time 0 until the last task ends
    double core_seconds = 0;  // sum of cores x duration
  };

  // InvalidArgument naming the task when: a dependency index is out of range or a task
  // depends on itself; the dependencies form a cycle; a queued task needs more cores than
  // the largest worker has; a running task's worker is out of range or has too few free
  // cores (or, without a worker, fits on none).
  static Result<ListScheduleSimulator> Create(const ForecastInput& input);

  size_t task_count() const { return cores_.size(); }

  // REQUIRES: durations_us.size() == task_count(); for a running task its remaining time.
  Outcome Run(const std::vector<int64_t>& durations_us);

 private:
  ListScheduleSimulator() = default;

  // Sets a worker's free cores and what others may use of them (all but the reservation).
  void SetFree(int worker, int cores);
  int FirstFit(int cores) const;            // REQUIRES: MaxFree() >= cores
  int MaxFree() const { return tree_[1]; }  // the most usable cores on one worker
  void Start(int32_t task, int worker, int64_t now, int64_t duration_us);
  void StartReady(int64_t now, const std::vector<int64_t>& durations_us);

  // Fixed by Create.
  std::vector<int> cores_;                 // by task
  std::vector<int32_t> order_;             // rank -> task: priority order
  std::vector<uint32_t> rank_;             // task -> rank
  std::vector<int32_t> bucket_;            // task -> index into bucket_cores_
  std::vector<int> bucket_cores_;          // ascending distinct core counts of queued tasks
  std::vector<int32_t> dependents_start_;  // CSR: dependents of task t are
  std::vector<int32_t> dependents_;        //   dependents_[start[t] .. start[t + 1])
  std::vector<int32_t> initial_waiting_;   // by task: unfinished deps (queued tasks)
  std::vector<int32_t> running_;           // running tasks
  std::vector<int> running_worker_;        // by position in running_
  std::vector<int> capacity_;              // by worker
  size_t leaves_ = 1;                      // power of two >= workers

  // Scratch, reset by Run.
  std::vector<int> free_;     // by worker
  int reserved_worker_ = -1;  // the head's reservation in this pass
  int reserved_cores_ = 0;
  std::vector<int> tree_;  // max usable cores (free minus reservation), heap-shaped segment tree
  std::vector<int32_t> waiting_;
  std::vector<int> worker_of_;
  std::vector<std::vector<uint32_t>> ready_;  // by bucket: min-heaps of ranks
  struct Event {
    int64_t end_us;
    int32_t task;
  };
  std::vector<Event> events_;  // min-heap by (end_us, task)
  double core_seconds_ = 0;
};

}  // namespace allot
