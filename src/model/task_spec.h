// TaskSpec: what a user asked for, after parsing, defaults, sweep expansion and validation.
// Plain data; the scheduler never mutates it. Thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/time.h"
#include "model/boxed.h"
#include "model/checkpoint_spec.h"
#include "model/job_spec.h"
#include "model/outputs_spec.h"

namespace allot {

// Where a task came from, for messages: "tasks.yaml:12".
struct SourceLocation {
  std::string file;
  int line = 0;  // 1-based; 0 when unknown
  bool operator==(const SourceLocation&) const = default;
};

// cores: N is {N, N}; {min, max} is elastic: the most that is free, at least min.
struct CoreRequest {
  int min = 1;
  int max = 1;
  bool elastic() const { return max > min; }
  bool operator==(const CoreRequest&) const = default;
};

// The most workers one task may span (`nodes`).
inline constexpr int kMaxNodes = 4096;

struct ResourceRequest {
  CoreRequest cores;
  int64_t memory_bytes = 0;  // 0: no memory accounting for this task
  // `memory: auto`: the scheduler sets memory_bytes from the task's profile once it has
  // history (core/profile/learned_request.h); until then the task runs with no memory limit.
  bool memory_auto = false;
  int gpus = 0;
  std::map<std::string, int64_t> custom;  // named resources, e.g. {"licenses": 1}
  // `nodes: N`: the attempt takes everything above (cores, memory, gpus, custom) on each of N
  // distinct workers at once (gang placement, core/gang_placement.h) and runs its command once,
  // on the first of them; 1: one worker, as every task without the field.
  int nodes = 1;
  bool operator==(const ResourceRequest&) const = default;
};

// Delay before retry k (1-based) is min(initial * factor^(k-1), max).
struct RetryBackoff {
  Duration initial = std::chrono::seconds(1);
  double factor = 2.0;
  Duration max = std::chrono::minutes(10);
  bool operator==(const RetryBackoff&) const = default;
  Duration DelayBeforeRetry(int retry) const;
};

// TaskSpec::executor of a task run as its own Slurm job (exec/slurm_job_launcher.h).
inline constexpr const char* kSlurmExecutor = "slurm";
// The tags such a task's job takes options from: tags.partition -> --partition, and so on.
inline constexpr const char* kBatchJobTags[] = {"partition", "account", "qos"};

struct TaskSpec {
  std::string id;
  // A shell command line. Without shell syntax it is exec'd directly (PATH lookup), otherwise
  // run by /bin/sh -c. Empty for the other job types (`job`).
  std::string command;
  ResourceRequest resources;
  // memory_max: an attempt killed at its memory limit runs again with more memory (only memory
  // grows), up to this; 0: no growth.
  int64_t memory_max_bytes = 0;
  std::optional<Duration> time_limit;                // SIGTERM to the process group when exceeded
  std::optional<Duration> time_estimate;             // a hint for backfilling and forecasts
  Duration grace_period = std::chrono::seconds(10);  // SIGTERM -> SIGKILL
  int priority = 0;                                  // higher runs first; FIFO among equals
  int max_retries = 0;
  RetryBackoff retry_backoff;
  std::vector<std::pair<std::string, std::string>> env;  // in file order
  std::map<std::string, std::string> tags;
  std::string workdir;                  // the process's cwd; absolute once loaded
  std::vector<std::string> depends_on;  // ids of other tasks, resolved (no patterns)
  // The checkpoint contract (model/checkpoint_spec.h); none: the task does not checkpoint.
  // Boxed: a pointer's size in the specs of tasks that have none.
  Boxed<CheckpointSpec> checkpoint;
  // Preemption (core/scheduler_preemption.cc): a preemptible task of lower priority may be
  // stopped (checkpointed when it can) and requeued for higher-priority work that waited long
  // enough; a protected one never is; none is in its first min_runtime of running time.
  bool preemptible = false;
  bool is_protected = false;  // `protected: true`
  Duration min_runtime{0};
  // Declared outputs and their validation (model/outputs_spec.h); none: nothing is checked.
  Boxed<OutputsSpec> outputs;
  // A python function, script or container instead of `command`, and/or `params`
  // (model/job_spec.h); none: a command without params.
  Boxed<JobSpec> job;
  // What runs its attempts: "" (`executor: local`, the default) a worker's own processes;
  // kSlurmExecutor, its own Slurm job, through a worker started with `--executor slurm`. The
  // scheduler places a task only on a worker of its executor (Machine::executor).
  std::string executor;
  SourceLocation origin;

  JobKind kind() const { return job ? job->kind : JobKind::kCommand; }

  bool operator==(const TaskSpec&) const = default;
};

}  // namespace allot
