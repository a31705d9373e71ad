// PlanAllocations: what the server should do now about the automatic allocations of one queue
// (a Slurm partition with its own limits, `allot alloc add slurm ...`), and why.
//
// Pure and deterministic: the server gives it the queue's configuration, its allocations as
// squeue/sacct and the connected workers show them, the tasks waiting for room and its record
// of failed submissions; it submits (sbatch) and releases (scancel) what the plan says, and
// journals the plan's reason, which `allot alloc events` prints for every submission and every
// non-submission.
//
// The rules, in order:
//  1. Paused by the user, or after `pause_after_failures` failed submissions in a row: no
//     submission. After a failure, the next try waits backoff * 2^(failures - 1).
//  2. A waiting task counts for this queue when it names it or no queue, fits one worker of it
//     (cores, memory, gpus; a multi-node task: on each of its nodes, and no more nodes than
//     max_workers) and its expected run time plus the end margin fits the allocation's time
//     limit; the others are counted by why they do not. A multi-node task counts its cores on
//     every node.
//  3. The workers that work needs: enough to run it within one allocation's usable time
//     (core-seconds / (cores per worker * usable time)), never more than its cores can fill
//     (sum of cores / cores per worker), never fewer than its widest multi-node task's nodes;
//     minus the workers of allocations already pending.
//     Allocations are submitted for the rest, at most `max_pending` pending at once and
//     `max_workers` workers in all (pending included), and only when the work would keep the
//     new workers at least `min_utilization` busy over the usable time.
//  4. The pool never drops below `min_workers`: allocations are submitted for the shortfall
//     even without work.
//  5. An allocation that ends within `replace_before` while counted work remains gets one
//     replacement (once), within the same limits.
//  6. An allocation whose workers have all been idle for `idle_timeout`, while no counted task
//     waits, is released, unless that would take the pool below `min_workers`.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/time.h"

namespace allot {

struct AllocQueueConfig {
  std::string name;                // the queue: its partition's name unless given
  Duration time_limit{0};          // of each allocation (sbatch --time); > 0
  int workers_per_alloc = 1;       // workers each allocation starts (srun)
  int cores_per_worker = 1;        // what one worker offers
  int64_t memory_per_worker = 0;   // bytes; 0: not limited
  int gpus_per_worker = 0;
  int min_workers = 0;
  int max_workers = 1;             // workers of all this queue's allocations, pending included
  int max_pending = 1;             // allocations submitted and not started
  Duration idle_timeout = std::chrono::minutes(5);
  double min_utilization = 0;      // 0..1
  Duration replace_before{0};      // 0: max(2 min, 10% of time_limit)
  Duration end_margin = std::chrono::seconds(60);  // workers stop this long before the end
  Duration backoff = std::chrono::seconds(30);
  int pause_after_failures = 5;
};

struct AllocSnapshot {
  std::string job_id;
  bool running = false;                // started; else pending in Slurm's queue
  int workers = 0;                     // connected (running), or expected (pending)
  std::optional<TimePoint> ends_at;    // running: its start plus the time limit
  std::optional<TimePoint> idle_since; // running: since when all its workers have been idle
  bool replaced = false;               // a replacement was submitted for it already
};

struct WaitingTask {
  int cores = 1;
  int64_t memory_bytes = 0;
  int gpus = 0;
  Duration expected{0};  // its estimate, learned P90 or time limit; 0: unknown (counts as a
                         // minute)
  std::string queue;     // the queue it names; "": any
  int nodes = 1;         // a multi-node task: this much on each of `nodes` workers at once
};

struct SubmitFailures {
  int consecutive = 0;
  std::optional<TimePoint> last;
  std::string last_error;
};

struct AllocPlan {
  int submit = 0;                      // allocations to submit now
  std::vector<std::string> replacing;  // allocations a submission of this plan replaces
  std::vector<std::string> release;    // allocations to release (idle)
  bool paused = false;                 // paused by the failures (the server records it)
  std::string reason;                  // one line: what, and why (or why not)
};

AllocPlan PlanAllocations(TimePoint now, const AllocQueueConfig& queue,
                          std::span<const AllocSnapshot> allocations,
                          std::span<const WaitingTask> waiting, const SubmitFailures& failures,
                          bool paused_by_user);

}  // namespace allot
