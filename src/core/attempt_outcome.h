// What an ended attempt leads to: success, a retry (at once or after the task's backoff), a
// run with more memory (killed at its memory limit, and allowed to grow), or failure. A pure
// function of the task's spec, its record and how the attempt ended; the Scheduler applies the
// answer (the transition, the timer, the grown request).
//
// Rules:
//  1. Exit 0, no signal, no time limit, started fine, and its declared outputs there and
//     valid (AttemptUsage::output_error empty): success. Outputs missing or invalid: a failure
//     of the task's own (rule 3) saying which.
//  2. Killed at its memory limit, with memory_max or `memory: auto`: again at once with
//     max(2x, 1.25x peak) (core/profile/oom_retry.h), up to `memory_cap`; not counted against
//     max_retries. At the cap: a failure like any other, saying so.
//  3. Otherwise a failure of the task's own: the k-th (k = attempts since the last requeue,
//     less crashes and memory retries) retries while k <= max_retries, after retry_backoff.DelayBeforeRetry(k);
//     past that, the task fails ("... (after N attempts)").
// Attempts that were lost, preempted or canceled never get here (they are not the task's
// doing; the crash limit bounds them).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/time.h"
#include "core/task_table.h"
#include "model/task_event.h"
#include "model/task_spec.h"

namespace allot {

enum class OutcomeKind { kSucceed, kRetry, kGrowMemory, kFail };

struct AttemptOutcome {
  OutcomeKind kind = OutcomeKind::kFail;
  std::string reason;        // for the transition's event; empty for success
  Duration delay{0};         // kRetry: before the task is ready again (0: at once)
  int64_t memory_bytes = 0;  // kGrowMemory: the task's new memory request
};

// `usage` has timed_out set when the scheduler sent the time-limit signal; `launch_error` is
// non-empty when the attempt could not start; `allocated_memory` is what the attempt held;
// `memory_cap` is the most the task may grow to (memory_max capped by the largest worker).
AttemptOutcome DecideOutcome(const TaskSpec& spec, const TaskRecord& record,
                             const AttemptUsage& usage, std::string_view launch_error,
                             int64_t allocated_memory, int64_t memory_cap);

// "exceeded its time limit", "killed by signal 9", "exit code 3", and with the stderr tail
// of a command the shell could not run, "exit code 127: sh: 1: ./sim: not found".
std::string DescribeExit(const AttemptUsage& usage);

}  // namespace allot
