// SlurmJobLauncher: a ProcessLauncher that runs each attempt as a Slurm job of its own
// (`executor: slurm` tasks, on a worker started with `allot worker start --executor slurm`).
//
// Launch queues the attempt and returns at once; a background thread (the only one that runs
// Slurm commands, each bounded by command_timeout) then:
//   1. submits queued attempts with sbatch (exec/slurm_job_commands.h: the attempt's resources
//      translated to sbatch options, its environment, cwd and stdio in the batch script and
//      options). A failed sbatch ends the attempt at once as exit 127, sbatch's error its
//      stderr_tail (and appended to its stderr file);
//   2. sends queued signals with scancel: SIGKILL cancels the job, others reach every process
//      of it (--signal --full);
//   3. every poll_interval, asks squeue which of its jobs are still queued or running; a job it
//      no longer lists has ended;
//   4. reads an ended job's record from sacct: its state, exit code (or signal), elapsed time,
//      user and system CPU time and MaxRSS become the exit's AttemptUsage, with slurm_job set.
//      Until sacct has the job's end (slurmdbd gets it a moment later), it asks again each
//      poll; after accounting_wait, or at once when sacct says there is no accounting, it
//      takes the exit code from `scontrol show job` (while slurmctld remembers the job) with
//      elapsed time, and the CPU time and MaxRSS of the last `sstat` sample: without
//      accounting, running jobs are sampled with sstat every poll (the steps' usage from
//      jobacct_gather, up to the last poll before the end);
//   5. hands the exit to the owner: ReadyFd (an eventfd) becomes readable.
// The owner's loop thread never waits for Slurm.
//
// Thread-safety: Launch, Signal, CollectExits, ReadyFd and running are for the owner's one
// thread, as ProcessLauncher says; they only queue and take under a mutex. The destructor
// stops the thread and cancels (scancel) the jobs that have not ended.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "exec/captured_command.h"
#include "exec/process_launcher.h"
#include "exec/slurm_job_commands.h"

namespace allot {

struct SlurmJobLauncherOptions {
  SlurmJobDefaults defaults;  // the worker's --partition, --account, --qos
  Duration poll_interval = std::chrono::seconds(1);
  Duration accounting_wait = std::chrono::seconds(60);
  Duration command_timeout = std::chrono::seconds(30);
  // Runs one Slurm command (argv, its stdin) to its end; empty: RunCaptured with
  // command_timeout. Tests put a stand-in here.
  std::function<CapturedOutput(const std::vector<std::string>&, const std::string&)> run;
};

class SlurmJobLauncher : public ProcessLauncher {
 public:
  // IoError when the eventfd or the thread cannot be made.
  static Result<std::unique_ptr<SlurmJobLauncher>> Create(SlurmJobLauncherOptions options);
  ~SlurmJobLauncher() override;

  SlurmJobLauncher(const SlurmJobLauncher&) = delete;
  SlurmJobLauncher& operator=(const SlurmJobLauncher&) = delete;

  // Always OK: a job that cannot be submitted ends as an exit (above). request.cpus is not
  // used (Slurm places the job); request.batch says what the job asks for.
  Status Launch(const LaunchRequest& request) override;
  Status Signal(RunId run_id, int signal) override;
  int ReadyFd() const override;
  void CollectExits(std::vector<ProcessExit>* exits) override;
  size_t running() const override { return running_; }

 private:
  class Poller;
  explicit SlurmJobLauncher(std::unique_ptr<Poller> poller);
  std::unique_ptr<Poller> poller_;
  size_t running_ = 0;
};

}  // namespace allot
