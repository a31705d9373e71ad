// The settings of one `allot worker start` (see WorkerAgent).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "common/time.h"
#include "exec/slurm_job_commands.h"
#include "model/machine.h"
#include "model/node_resources.h"

namespace allot {

struct WorkerAgentOptions {
  // Unique among the server's workers; empty: DefaultWorkerName (worker_name.h),
  // "<host or Slurm node>:<pid>:<8 random hex digits>".
  std::string name;
  // What this worker offers (exec/machine_overrides.h: DetectMachineFromFlags). Replaced by
  // what the server gives it (its welcome's machine): on a node shared with other workers,
  // other CPUs or less memory (server/node_share.h).
  Machine machine;
  // What the node has for this process (exec/machine_detector.h: DetectNodeResources), sent
  // with every register so that the server can divide the node among its workers. An empty
  // name sends none: the server takes `machine` as it is, as from an older worker.
  NodeResources node;
  // Leave (goodbye, exit 0) after this long with nothing running and nothing launched.
  std::optional<Duration> idle_timeout;
  // Kill the tasks and leave with an error after this long without a message from the server.
  Duration server_timeout = std::chrono::minutes(5);
  // SIGTERM -> SIGKILL when stopping.
  Duration kill_grace = std::chrono::seconds(10);
  // While stopping with every task ended, how long to wait for the server to ack their exits.
  Duration ack_wait = std::chrono::seconds(5);
  // An exit unacked this long is sent again in an `exited`.
  Duration resend_after = std::chrono::seconds(30);
  // Before the first welcome, send register again this often.
  Duration register_retry = std::chrono::seconds(10);
  // Usage sampling of running attempts (and their memory limits) after the first second;
  // 0: off. See PosixProcessLauncher.
  Duration sample_interval = std::chrono::seconds(1);
  // When its allocation ends minus the margin (`--end-time`, a Slurm job's end), Unix
  // microseconds; 0: never. Then it stops as on SIGTERM (checkpointing tasks get their
  // checkpoint signal; their checkpointed exits are preempted, the others lost: both run again
  // elsewhere) and leaves; the server knows it from its register and starts nothing there that
  // would not end by then.
  int64_t stops_wall_us = 0;
  // The Slurm job it runs in (SLURM_JOB_ID; "" outside one): the server counts it among that
  // job's workers, as automatic allocations need (server/allocation_manager.h).
  std::string slurm_job;
  // With machine.executor "slurm" (`--executor slurm`): each attempt runs as a Slurm job of its
  // own (exec/slurm_job_launcher.h), with these --partition, --account and --qos unless its
  // tags say otherwise.
  SlurmJobDefaults slurm_defaults;
  // Take SIGINT, SIGTERM and SIGHUP through a signalfd (they are blocked in the creating
  // thread, so Create must run before any other thread starts). Off when the agent runs on a
  // thread of a larger process, e.g. in tests.
  bool handle_signals = true;
  // The server directory it found access.json in: the leader of a multi-node attempt names it
  // in its ALLOT_NODE_EXEC script (worker/node_environment.h). "": not known.
  std::string server_dir;
};

}  // namespace allot
