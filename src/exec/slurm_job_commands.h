// The Slurm commands of per-task Slurm jobs (`executor: slurm`, SlurmJobLauncher), as argv
// vectors and parsers of what they print. Pure: the launcher runs them and feeds their output
// back here.
//
//   sbatch --parsable --export=NONE --job-name allot-<task> --chdir CWD --output OUT
//          --error ERR --cpus-per-task C [--mem MB] [--gpus G] [--time MIN]
//          [--partition P] [--account A] [--qos Q] [extra]      (the script on stdin)
//   the script: exports the attempt's environment, then `exec /bin/sh -c COMMAND`
//   squeue -h -j ID,ID -o "%i|%T"                 (a job it does not list has ended)
//   sacct -j ID --parsable2 --noheader
//         -o JobID,JobName,State,ExitCode,ElapsedRaw,UserCPU,SystemCPU,MaxRSS
//   scontrol show job -o ID                       (when there is no accounting)
//   sstat -a -j ID --parsable2 --noheader -o JobID,MaxRSS,AveCPU,NTasks
//                                                 (samples while it runs, without accounting)
//   scancel [--signal=N --full] ID
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "exec/process_launcher.h"

namespace allot {

// What a worker started with `--executor slurm` adds to every job: its --partition, --account
// and --qos (a task's tags.partition, tags.account, tags.qos win), and sbatch arguments of its
// own.
struct SlurmJobDefaults {
  std::string partition;
  std::string account;
  std::string qos;
  std::vector<std::string> extra;
};

// The sbatch argv (without a script path: the script goes on stdin) for `request`:
// cores -> --cpus-per-task, memory -> --mem in MiB (rounded up), gpus -> --gpus, the time
// limit -> --time in minutes (rounded up), the job named allot-<task id>.
// TODO(issue 15): --nodes once TaskSpec has `nodes` (multi-node tasks).
std::vector<std::string> SlurmJobSbatchArgv(const LaunchRequest& request,
                                             const SlurmJobDefaults& defaults);
// The batch script: exports request.env (but the Slurm variables of the worker's own job, and
// CUDA_VISIBLE_DEVICES and ALLOT_CORES, which name this host's devices: Slurm sets its own),
// changes to request.cwd and execs the command with /bin/sh -c.
std::string SlurmJobScript(const LaunchRequest& request);

std::vector<std::string> SlurmJobSqueueArgv(const std::vector<std::string>& job_ids);
// The job ids `squeue -h -o "%i|%T"` lists (with their state), in order; lines it cannot read
// are skipped.
std::vector<std::pair<std::string, std::string>> ParseSlurmJobSqueue(std::string_view output);

// How a job ended and what it used, from sacct or scontrol.
struct SlurmJobRecord {
  std::string name;   // JobName (sacct; slurmdbd says "allocation" until it has the job's start)
  std::string state;  // COMPLETED, FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY, NODE_FAIL, ...
  int exit_code = 0;  // ExitCode's first part
  int signal = 0;     // ExitCode's second part: the signal that ended it; 0: none
  Duration elapsed{0};
  Duration user_cpu{0};
  Duration sys_cpu{0};
  int64_t max_rss_bytes = 0;  // the largest over its steps; 0: unknown
  bool has_usage = false;     // from sacct (CPU times, MaxRSS); scontrol gives none
};

// Whether a Slurm job state is one a job ends in (not PENDING, RUNNING, COMPLETING, ...).
bool IsFinalSlurmJobState(std::string_view state);

std::vector<std::string> SlurmJobSacctArgv(const std::string& job_id);
// The record of `job_id` from `sacct --parsable2 --noheader -o` SlurmJobSacctArgv's fields:
// state and exit code from the job's own line, elapsed from it, CPU times from it (Slurm sums
// the steps there), MaxRSS the largest of its steps'. nullopt when sacct has no line of the
// job yet, or the job has not ended there yet (its end reaches slurmdbd a moment later);
// InvalidArgument naming the line for a line it cannot read.
Result<std::optional<SlurmJobRecord>> ParseSacct(std::string_view output,
                                                 std::string_view job_id);

// What sstat said of a running job's steps: the largest MaxRSS, and the CPU time of all its
// tasks (AveCPU x NTasks, summed over the steps).
struct SlurmJobSample {
  int64_t max_rss_bytes = 0;
  Duration cpu{0};
};
std::vector<std::string> SlurmJobSstatArgv(const std::string& job_id);
// nullopt when sstat listed no step of `job_id` or a line it cannot read.
std::optional<SlurmJobSample> ParseSstat(std::string_view output, std::string_view job_id);

// Whether a Slurm command's error says the cluster keeps no accounting (sacct cannot answer).
bool SaysNoAccounting(std::string_view stderr_text);

std::vector<std::string> SlurmJobScontrolArgv(const std::string& job_id);
// The record from `scontrol show job -o ID` (JobState, ExitCode, RunTime); no usage.
// InvalidArgument when it lacks JobState or ExitCode.
Result<SlurmJobRecord> ParseScontrolJob(std::string_view output);

// scancel's argv for `signal`: SIGKILL cancels the job (Slurm: SIGCONT, SIGTERM, and SIGKILL
// after KillWait); any other signal goes to every process of the job (--signal=N --full),
// whose end then ends the job.
std::vector<std::string> SlurmJobScancelArgv(const std::string& job_id, int signal);

// Slurm's durations: [DD-[HH:]]MM:SS[.mmm] (sacct's CPU times, scontrol's RunTime) and plain
// seconds; nullopt when it cannot read one.
std::optional<Duration> ParseSlurmDuration(std::string_view text);
// sacct's sizes: 14972K, 1.5M, 2G, 512 (bytes); nullopt when it cannot read one, 0 for "".
std::optional<int64_t> ParseSlurmSize(std::string_view text);

}  // namespace allot
