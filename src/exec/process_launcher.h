// ProcessLauncher: starts, signals and reaps the processes of task attempts. One process group
// per attempt; signals go to the whole group. Reaping is event-driven: the owner polls
// ReadyFd() in its event loop and calls CollectExits() when it is readable. Usage sampling
// is timed by the owner too: it calls Sample() once NextSampleDue() has passed.
//
// Implementations: PosixProcessLauncher (clone + pidfd/epoll), FakeProcessLauncher
// (src/testing). Not thread-safe: one owner (the event loop thread).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "model/task_event.h"

namespace allot {

// Identifies one attempt's process group for its whole life; chosen by the caller, unique.
using RunId = uint64_t;

// What an attempt asks a batch system for, for a launcher that submits each attempt as a batch
// job of its own (SlurmJobLauncher: exec/slurm_job_commands.h translates it); the others
// ignore it.
struct BatchJobRequest {
  std::string task_id;  // the job is named allot-<task id>
  uint32_t attempt = 0;
  int cores = 0;              // allocated (cpus may name fewer CPUs where task slots share one)
  int64_t memory_bytes = 0;   // 0: not asked for
  int gpus = 0;
  std::optional<Duration> time_limit;  // the task's time_limit plus its grace period
  std::map<std::string, std::string> tags;  // the task's tags among kBatchJobTags (task_spec.h)
};

struct LaunchRequest {
  RunId run_id = 0;
  std::string command;             // shell command line (see TaskSpec::command)
  std::string cwd;                 // absolute; must exist
  std::vector<std::string> env;    // complete environment, "KEY=VALUE"
  std::vector<int> cpus;           // OS CPU ids for the affinity mask; empty: inherit
  std::string stdout_path;         // created/truncated; its directory must exist
  std::string stderr_path;
  // The attempt's memory: when sampling sees its process tree's RSS above it, the group is
  // SIGKILLed and its exit says usage.memory_exceeded. 0: no limit.
  int64_t memory_limit_bytes = 0;
  // An entry of `env` ("KEY=VALUE") that no other running attempt has: a process whose
  // environment holds it is this attempt's, wherever it went (escaped_descendants.h). Empty:
  // none.
  std::string env_tag;
  BatchJobRequest batch;
};

struct ProcessExit {
  RunId run_id = 0;
  AttemptUsage usage;  // how it ended, and what it used (model/task_event.h)
};

class ProcessLauncher {
 public:
  virtual ~ProcessLauncher() = default;

  // Starts the command in a new process group with the given affinity, cwd, env and stdio.
  // An error means nothing is running for run_id (e.g. the executable does not exist when
  // exec'd directly is reported as an exit with code 127, not as an error).
  virtual Status Launch(const LaunchRequest& request) = 0;
  // Sends `signal` to every process in run_id's group. OK if the group is already gone.
  virtual Status Signal(RunId run_id, int signal) = 0;
  // A file descriptor that becomes readable when exits may be collected; -1 if none (fakes).
  virtual int ReadyFd() const = 0;
  // Reaps every finished attempt without blocking and appends one ProcessExit per attempt.
  // After the group leader exits, stray processes left in its group, and those the attempt
  // started that left it, are killed (SIGKILL); an attempt is finished once they have exited.
  virtual void CollectExits(std::vector<ProcessExit>* exits) = 0;
  // Attempts started and not yet collected.
  virtual size_t running() const = 0;
  // When Sample() is next due, in Clock::Now()'s monotonic time; none when nothing is to be
  // sampled (no attempt runs, or sampling is off). Launchers that do not sample keep these
  // defaults.
  virtual std::optional<TimePoint> NextSampleDue() const { return std::nullopt; }
  // Samples the running attempts' usage and SIGKILLs those above their memory limit. Cheap to
  // call early; the owner calls it once NextSampleDue() has passed.
  virtual void Sample() {}
};

}  // namespace allot
