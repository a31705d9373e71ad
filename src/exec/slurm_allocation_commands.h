// The Slurm commands of automatic allocations (issue 15, `allot alloc`), as argv vectors and
// parsers of what they print. Pure: the server runs them (sbatch, squeue, scancel) and feeds
// their output back here.
//
//   sbatch --parsable --job-name allot-<queue> --partition P --time MM --nodes N
//          --ntasks-per-node K --signal B:USR1@<margin> --output D/allocation-%j.out
//          [extra args]   (the script on stdin)
//   the script: `srun --kill-on-bad-exit=0 allot worker start --server-dir D --end-margin M`
//   squeue -h --noheader -j ID,ID -o "%i|%T|%S|%e|%R"
//   scancel ID...
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace allot {

struct SbatchRequest {
  std::string queue;      // allot's name of the queue (the job name is allot-<queue>)
  std::string partition;  // "" : Slurm's default
  int64_t time_limit_s = 0;
  int nodes = 1;
  int workers_per_node = 1;
  int cpus_per_worker = 0;    // --cpus-per-task, for sbatch and srun; 0: Slurm's default (1)
  int64_t end_margin_s = 60;  // --signal: USR1 this long before the end, workers leave then
  std::vector<std::string> extra;  // the user's sbatch arguments after `--`
  std::string allot_binary;        // absolute
  std::string server_dir;          // absolute
  bool test_only = false;          // --test-only (alloc add --dry-run)
};

// The sbatch argv without the script path, and the batch script's text.
std::vector<std::string> SbatchArgv(const SbatchRequest& r);
std::string SbatchScript(const SbatchRequest& r);

// The job id of `sbatch --parsable`'s output ("1234" or "1234;cluster"); InvalidArgument
// quoting the output when there is none.
Result<std::string> ParseSbatchParsable(std::string_view output);

struct SqueueRow {
  std::string job_id;
  std::string state;                   // PENDING, RUNNING, COMPLETING, ...
  std::optional<int64_t> start_epoch;  // %S: known once it runs (or scheduled); else nullopt
  std::optional<int64_t> end_epoch;    // %e
  std::string reason;                  // %R: why pending (Priority, Resources), or the nodes
};

std::vector<std::string> SqueueArgv(const std::vector<std::string>& job_ids);
// One row per line of `squeue -h -o "%i|%T|%S|%e|%R"`; times are local "YYYY-MM-DDTHH:MM:SS"
// (or N/A, Unknown, None); InvalidArgument naming the line for a row it cannot read.
Result<std::vector<SqueueRow>> ParseSqueue(std::string_view output);

// What one node of a partition offers: `sinfo -h -p P -o "%c|%m|%G"` (CPUs, memory in MiB,
// generic resources such as "gpu:2" or "gpu:a100:4(S:0-1)").
struct SinfoNode {
  int cpus = 0;
  int64_t memory_bytes = 0;
  int gpus = 0;
};
std::vector<std::string> SinfoArgv(const std::string& partition);
// The smallest node among the rows (an allocation may land on any of them); InvalidArgument
// quoting the output when no row can be read.
Result<SinfoNode> ParseSinfo(std::string_view output);

// sbatch's error output, first line without "sbatch: error: ": what `alloc events` shows.
std::string SbatchError(std::string_view stderr_text, int exit_code);

}  // namespace allot
