// AllocationManager: automatic allocations (issue 15, `allot alloc`), the part that acts. Once
// per tick it asks Slurm where the queues' allocations stand (squeue), asks PlanAllocations
// (core/autoalloc) what to do, submits (sbatch, the script on stdin) and releases (scancel),
// and records an event for every submission, release, failure, start and end, and for every
// change in why it does not submit: `allot alloc events`.
//
// It does no journaling and keeps no thread: AllocationService (allocation_service.h) drives it
// from its own thread, journals its State() and keeps its events. The Slurm commands go through
// an injected CommandRunner (the real one runs them with a timeout). Thread-compatible.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "core/autoalloc/allocation_planner.h"
#include "exec/slurm_allocation_commands.h"

namespace allot {

struct CommandOutput {
  int exit_code = 0;
  std::string out;
  std::string err;
};
// Runs argv with `stdin_text` on its standard input; exit_code 127 when it cannot be started.
using CommandRunner =
    std::function<CommandOutput(const std::vector<std::string>& argv, const std::string& stdin_text)>;

struct SlurmQueueOptions {
  std::string partition;
  int nodes = 1;                   // per allocation; workers_per_alloc is a multiple of it
  std::vector<std::string> extra;  // sbatch arguments after `--`
};

// What the server knows of one allocation's workers (by the SLURM_JOB_ID they registered with).
struct JobWorkers {
  int connected = 0;
  std::optional<TimePoint> idle_since;  // all of them idle since then; nullopt: one is busy
};

struct AllocEvent {
  int64_t time_us = 0;
  std::string queue;
  std::string kind;    // submitted, submit-failed, not-submitting, started, released, ended,
                       // paused
  std::string job_id;  // "" when none
  std::string reason;
};

// Before an idle allocation is cancelled: stop placing work on its workers, and say whether it
// may go (false: one of them got work meanwhile; it is kept). Default: always.
using ReleaseGuard = std::function<bool(const std::string& job_id)>;

class AllocationManager {
 public:
  AllocationManager(const Clock* clock, CommandRunner run, std::string allot_binary,
                    std::string server_dir);
  void set_release_guard(ReleaseGuard guard) { release_guard_ = std::move(guard); }

  // InvalidArgument naming the field for a bad configuration; AlreadyExists for a known name.
  // A config without cores_per_worker (0) takes it from the partition's smallest node (sinfo):
  // its CPUs divided among the workers of a node (and so its memory and GPUs, when those are
  // 0); FailedPrecondition with sinfo's words when it cannot say.
  Status AddQueue(AllocQueueConfig config, SlurmQueueOptions slurm);
  // What AddQueue would check, then `sbatch --test-only` of one allocation: Slurm's answer
  // (e.g. "Job 12 to start at ... using 2 processors on nodes n1 in partition debug"), or
  // InvalidArgument with Slurm's refusal. Adds nothing.
  Result<std::string> DryRun(AllocQueueConfig config, SlurmQueueOptions slurm);
  Status Pause(const std::string& queue);
  Status Resume(const std::string& queue);
  // Stops the queue for good. FailedPrecondition while it has allocations, unless `force`:
  // then they are cancelled (scancel; their workers' tasks run again elsewhere).
  Status Remove(const std::string& queue, bool force);

  // Refreshes, plans and acts for every queue. `waiting`: Scheduler::WaitingWork.
  void Tick(std::span<const WaitingTask> waiting,
            const std::map<std::string, JobWorkers>& workers_by_job);

  // The events since the last call.
  std::vector<AllocEvent> TakeEvents();

  struct JobView {
    std::string job_id;
    std::string state;  // PENDING, RUNNING, ... as squeue says
    std::optional<int64_t> end_epoch;
  };
  struct QueueView {
    AllocQueueConfig config;
    SlurmQueueOptions slurm;
    bool paused = false;
    int failures = 0;
    std::string last_error;
    std::vector<JobView> jobs;
    std::string last_reason;
  };
  std::vector<QueueView> List() const;

  // Everything a restarted server needs (queues, pause, failures, the allocations it
  // submitted), as JSON text; Restore reads it back. InvalidArgument for text it cannot read.
  std::string State() const;
  Status Restore(const std::string& state);

 private:
  struct Job {
    std::string id;
    std::string state = "PENDING";
    std::optional<int64_t> start_epoch, end_epoch;
    bool replaced = false;
    bool release_sent = false;
    int most_connected = 0;  // the most of its workers seen connected at once
  };
  struct Queue {
    AllocQueueConfig config;
    SlurmQueueOptions slurm;
    bool paused = false;
    SubmitFailures failures;
    std::vector<Job> jobs;
    std::string last_reason;
  };

  void Refresh(Queue& q);
  void Act(Queue& q, const AllocPlan& plan);
  void Record(const Queue& q, std::string kind, std::string job_id, std::string reason);
  Queue* Find(const std::string& name);
  Status Check(AllocQueueConfig* config, const SlurmQueueOptions& slurm);
  SbatchRequest Request(const AllocQueueConfig& c, const SlurmQueueOptions& slurm) const;

  const Clock* clock_;
  CommandRunner run_;
  std::string allot_binary_;
  std::string server_dir_;
  std::map<std::string, Queue> queues_;
  std::vector<AllocEvent> events_;
  ReleaseGuard release_guard_;
};

}  // namespace allot
