// AllocationManager: automatic allocations (issue 15, `allot alloc`), the part that acts. Once
// per tick it asks Slurm where the queues' allocations stand (squeue), asks PlanAllocations
// (core/autoalloc) what to do, submits (sbatch, the script on stdin) and releases (scancel),
// and records an event for every submission, release, failure, start and end, and for every
// change in why it does not submit: `allot alloc events`.
//
// WIP: not yet journaled, not yet driven by the server loop or the CLI. The Slurm commands go
// through an injected CommandRunner (the real one runs them with a timeout).
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

class AllocationManager {
 public:
  AllocationManager(Clock* clock, CommandRunner run, std::string allot_binary,
                    std::string server_dir);

  // InvalidArgument naming the field for a bad configuration; AlreadyExists for a known name.
  Status AddQueue(AllocQueueConfig config, SlurmQueueOptions slurm);
  Status Pause(const std::string& queue);
  Status Resume(const std::string& queue);

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
    std::string name;
    bool paused = false;
    int failures = 0;
    std::vector<JobView> jobs;
    std::string last_reason;
  };
  std::vector<QueueView> List() const;

 private:
  struct Job {
    std::string id;
    std::string state = "PENDING";
    std::optional<int64_t> start_epoch, end_epoch;
    bool replaced = false;
    bool release_sent = false;
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

  Clock* clock_;
  CommandRunner run_;
  std::string allot_binary_;
  std::string server_dir_;
  std::map<std::string, Queue> queues_;
  std::vector<AllocEvent> events_;
};

}  // namespace allot
