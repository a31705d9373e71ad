#include "cli/worker_command.h"

#include <filesystem>
#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <optional>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "cli/allocation_end.h"
#include "cli/exit_codes.h"
#include "common/units.h"
#include "exec/machine_detector.h"
#include "exec/machine_overrides.h"
#include "exec/slurm_executor_machine.h"
#include "model/task_spec.h"
#include "protocol/access_file.h"
#include "worker/worker_agent.h"

namespace allot {
namespace {

struct WorkerStartFlags {
  std::string server_dir;
  MachineFlags machine;
  std::string name;
  std::string idle_timeout;
  std::string server_timeout = "5m";
  std::string sample_interval = "1s";
  std::string end_time;            // --end-time (default inside a Slurm job: the job's end)
  std::string end_margin = "60s";  // --end-margin
  std::string executor;            // --executor: "" or local, or slurm
  SlurmJobDefaults slurm;          // --partition, --account, --qos (with --executor slurm)
};

int BadInput(const std::string& message) {
  fmt::print(stderr, "allot worker start: {}\n", message);
  return kExitBadInput;
}

// A positive duration from a flag; InvalidArgument naming the flag.
Result<Duration> PositiveDuration(const std::string& flag, const std::string& text) {
  auto d = ParseDuration(text);
  if (!d.ok()) return d.status().WithPrefix(flag + " " + text);
  if (d->count() <= 0) return Status::InvalidArgument(flag + " " + text + ": must be positive");
  return *d;
}

Status CheckName(const std::string& name) {
  if (name.size() > 255) return Status::InvalidArgument("--name: at most 255 bytes");
  for (unsigned char c : name) {
    if (c <= ' ' || c == 0x7f) {
      return Status::InvalidArgument("--name '" + name + "': no whitespace or control characters");
    }
  }
  return Status::Ok();
}

// The server's access file; while there is none yet (a worker started right after the server,
// or before it), waits for it up to `timeout`, saying so once.
Result<AccessFile> WaitForAccessFile(const std::string& server_dir, Duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool said = false;
  while (true) {
    Result<AccessFile> access = ReadAccessFile(server_dir);
    if (access.ok() || access.status().code() != StatusCode::kNotFound ||
        std::chrono::steady_clock::now() >= deadline) {
      return access;
    }
    if (!said) {
      fmt::print(stderr,
                 "allot worker start: no server in {} yet ({} does not exist); waiting for one "
                 "up to {} (--server-timeout)\n",
                 server_dir, AccessFilePath(server_dir), FormatDuration(timeout));
      said = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

int RunWorker(const WorkerStartFlags& flags) {
  WorkerAgentOptions options;
  if (!flags.idle_timeout.empty()) {
    auto idle = PositiveDuration("--idle-timeout", flags.idle_timeout);
    if (!idle.ok()) return BadInput(idle.status().message());
    options.idle_timeout = *idle;
  }
  auto server_timeout = PositiveDuration("--server-timeout", flags.server_timeout);
  if (!server_timeout.ok()) return BadInput(server_timeout.status().message());
  options.server_timeout = *server_timeout;
  auto sample_interval = ParseDuration(flags.sample_interval);
  if (!sample_interval.ok()) {
    return BadInput(sample_interval.status()
                        .WithPrefix("--sample-interval " + flags.sample_interval)
                        .message());
  }
  options.sample_interval = *sample_interval;
  if (Status s = CheckName(flags.name); !s.ok()) return BadInput(s.message());
  options.name = flags.name;
  Result<AllocationEnd> end = ResolveAllocationEnd(flags.end_time, flags.end_margin);
  if (!end.ok()) return BadInput(end.status().message());
  if (end->end_wall_us > 0) options.stops_wall_us = end->end_wall_us - end->margin.count();

  const bool slurm = flags.executor == kSlurmExecutor;
  if (!slurm && (!flags.slurm.partition.empty() || !flags.slurm.account.empty() ||
                 !flags.slurm.qos.empty())) {
    return BadInput("--partition, --account and --qos need --executor slurm");
  }
  // A Slurm executor offers slots standing for the cluster, not this host: no node share.
  auto machine = slurm ? SlurmExecutorMachine(flags.machine) : DetectMachineFromFlags(flags.machine);
  if (!machine.ok()) return BadInput(machine.status().message());
  options.machine = std::move(*machine);
  if (!slurm) options.node = DetectNodeResources();
  options.slurm_defaults = flags.slurm;
  if (const char* job = std::getenv("SLURM_JOB_ID")) options.slurm_job = job;
  const std::string server_dir = ResolveServerDir(flags.server_dir);
  {
    std::error_code ec;
    options.server_dir = std::filesystem::absolute(server_dir, ec).string();
  }
  auto access = WaitForAccessFile(server_dir, options.server_timeout);
  if (!access.ok()) return BadInput(access.status().message());

  auto agent = WorkerAgent::Create(*access, std::move(options));
  if (!agent.ok()) {
    if (agent.status().code() == StatusCode::kInvalidArgument) {
      return BadInput(AccessFilePath(server_dir) + ": " + agent.status().message());
    }
    fmt::print(stderr, "allot worker start: {}\n", agent.status().ToString());
    return kExitInternal;
  }
  auto outcome = (*agent)->Run();
  if (!outcome.ok()) {
    fmt::print(stderr, "allot worker start: {}\n", outcome.status().ToString());
    return kExitInternal;
  }
  switch (outcome->end) {
    case WorkerEnd::kStopped:
    case WorkerEnd::kIdle:
      return kExitOk;
    case WorkerEnd::kSignaled:
      return ExitForSignal(outcome->signal);
    case WorkerEnd::kServerLost:
      return kExitInternal;
    case WorkerEnd::kRefused:  // the agent printed why
      return kExitBadInput;
    case WorkerEnd::kAllocationEnded:
      return kExitAllocationEnded;
  }
  return kExitInternal;
}

}  // namespace

CLI::App* AddWorkerCommand(CLI::App* app, int* exit_code) {
  CLI::App* worker = app->add_subcommand("worker", "Run tasks for a cluster-mode server");
  worker->require_subcommand(1);
  auto flags = std::make_shared<WorkerStartFlags>();
  CLI::App* start = worker->add_subcommand(
      "start", "Join the server and run its tasks here, in the foreground (one per node)");
  start->add_option("--server-dir", flags->server_dir,
                    "The server's directory, holding access.json (default: $ALLOT_SERVER_DIR, "
                    "else ~/.allot/server)");
  start->add_option("--cores", flags->machine.cores,
                    "Offer this many cores (default: all this process may use)");
  start->add_option("--memory", flags->machine.memory,
                    "Memory to offer, e.g. 16G (default: detected)");
  start->add_option("--gpus", flags->machine.gpus,
                    "GPUs: a count (2) or device ids (0,3; one id: 3,)");
  start->add_option("--resource", flags->machine.resources,
                    "A custom resource this node offers, NAME=COUNT (repeatable)")
      ->allow_extra_args(false);
  start->add_option("--name", flags->name,
                    "This worker's unique name (default: <host>:<pid>:<random>; in a Slurm job step the "
                    "Slurm node instead of the host)");
  start->add_option("--idle-timeout", flags->idle_timeout,
                    "Leave after this long with nothing to run, e.g. 10min (default: never)");
  start
      ->add_option("--server-timeout", flags->server_timeout,
                   "Kill the tasks and exit after this long without word from the server")
      ->capture_default_str();
  start
      ->add_option("--sample-interval", flags->sample_interval,
                   "How often running tasks' CPU, memory and I/O are sampled after the first "
                   "second (memory limits are enforced at samples); 0: never")
      ->capture_default_str();
  start->add_option("--end-time", flags->end_time,
                    "When this worker's allocation ends: +DURATION, epoch seconds or "
                    "YYYY-MM-DDTHH:MM[:SS][Z] (default inside a Slurm job: the job's end). The "
                    "server starts nothing here that would not end by then, checkpointing tasks "
                    "get their last checkpoint signal ahead of it, and the worker stops "
                    "--end-margin before it (exit 75): its tasks run again elsewhere");
  start->add_option("--end-margin", flags->end_margin,
                    "How long before --end-time the worker stops its tasks and leaves")
      ->capture_default_str();
  start
      ->add_option("--executor", flags->executor,
                   "slurm: run each task here as a Slurm job of its own (sbatch; tasks with "
                   "`executor: slurm` go only to such workers, and no others). --cores, "
                   "--memory and --gpus then bound what it keeps submitted at once (default " +
                       std::to_string(kSlurmExecutorCores) + " cores, 64T, " +
                       std::to_string(kSlurmExecutorGpus) + " GPUs)")
      ->check(CLI::IsMember({"local", "slurm"}));
  start->add_option("--partition", flags->slurm.partition,
                    "With --executor slurm: the jobs' --partition (a task's tags.partition wins)");
  start->add_option("--account", flags->slurm.account,
                    "With --executor slurm: the jobs' --account (a task's tags.account wins)");
  start->add_option("--qos", flags->slurm.qos,
                    "With --executor slurm: the jobs' --qos (a task's tags.qos wins)");
  start->callback([flags, exit_code] { *exit_code = RunWorker(*flags); });
  return worker;
}

}  // namespace allot
