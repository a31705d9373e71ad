// TaskEvent: one accepted state transition, as the core emits it and the journal stores it.
// Replaying the events of a journal in order rebuilds the scheduler's task states.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/time.h"
#include "model/task_state.h"

namespace allot {

// Index of a task in submission order: 0, 1, 2, ... Stable for the life of a journal.
using TaskIndex = uint32_t;

// What one attempt used and how it ended. Recorded on the transition that ends an attempt.
struct AttemptUsage {
  int exit_code = -1;      // -1 when killed by a signal
  int term_signal = 0;     // 0 when it exited
  bool timed_out = false;  // the scheduler sent the time-limit signal
  Duration wall{0};
  Duration user_cpu{0};
  Duration sys_cpu{0};
  // The larger of two measures: wait4's ru_maxrss (the peak of the largest single process the
  // leader waited for) and the sampled peak of the sum of RSS over the attempt's whole process
  // group (exec/group_usage_sampler.h). For one process they agree; for a tree the sum is the
  // one that matters for memory limits.
  int64_t max_rss_bytes = 0;
  // Bytes the process tree read and wrote through system calls (files, pipes, sockets,
  // whether or not the page cache served them): /proc/<pid>/io rchar and wchar, sampled.
  int64_t read_bytes = 0;
  int64_t write_bytes = 0;
  // The most cores the tree kept busy over a sampling window of at least half a second (at
  // least the mean, CPU time / wall); 0 when nothing was measured.
  double peak_cores = 0;
  // Killed by allot because the tree's RSS went above the attempt's memory (the memory
  // allocated to it, on its -> running event).
  bool memory_exceeded = false;
  // When the shell could not run the command (exit 126 or 127): the last lines of the
  // attempt's stderr (exec/stderr_tail.h), which the attempt's reason then quotes. Not
  // journaled itself: the reason is.
  std::string stderr_tail{};
  // A checkpointing task's attempt: what it did with its checkpoints (model/checkpoint_report.h,
  // as JSON); empty for other tasks. Journaled.
  std::string checkpoint{};
  // It left a complete checkpoint set: progress that a later attempt continues from.
  bool checkpointed = false;
  // A task with declared outputs (model/outputs_spec.h) whose attempt produced them: each
  // file's path, size and SHA-256 (model/output_manifest.h, as JSON); empty for others.
  // Journaled.
  std::string outputs{};
  // What the attempt returned (model/task_result.h): the JSON it left in $ALLOT_RESULT_FILE,
  // compact; empty when it left none. Journaled.
  std::string result{};
  // Why an attempt that exited 0 did not produce what it declared (an output missing, its
  // validation failed): the attempt failed for this. Not journaled itself: the reason is.
  std::string output_error{};
  // The Slurm job the attempt ran as (a task with `executor: slurm`: exec/slurm_job_launcher.h);
  // its wall, CPU times and max_rss are then Slurm's accounting of the job (sacct). Empty for
  // others. Journaled.
  std::string slurm_job{};
  bool operator==(const AttemptUsage&) const = default;
};

struct TaskEvent {
  TaskIndex task = 0;
  uint32_t attempt = 0;  // the attempt this transition belongs to; 0 before the first
  TaskState from = TaskState::kWaiting;
  TaskState to = TaskState::kWaiting;
  int64_t wall_time_us = 0;           // when it happened, Unix microseconds
  std::optional<AttemptUsage> usage;  // set when an attempt ended
  std::vector<int> cores;             // OS CPU ids held, on -> running
  std::vector<int> gpus;              // GPU ids held, on -> running
  // On -> running: the memory held. On -> ready after an attempt killed at its memory limit:
  // the task's grown memory request from then on (replay applies it to the spec).
  int64_t memory_bytes = 0;
  std::string worker;                 // the worker's name, on -> running (empty: embedded)
  bool by_user = false;               // asked for by a person (cancel, skip, pause, resume)
  std::string reason;  // why, for people: "dependency sim-3 failed", "retry 2 of 3 in 4s"
  bool operator==(const TaskEvent&) const = default;
};

}  // namespace allot
