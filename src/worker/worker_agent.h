// WorkerAgent: `allot worker start`, the worker side of cluster mode (docs/CLUSTER.md, "Worker
// protocol"). It registers with the server (machine, running attempts, unacked exits), runs the
// attempts the server launches on exactly the CPUs and GPUs it names (through LocalWorker and
// the PosixProcessLauncher, output in <output_dir>/<task>/stdout), and reports their exits.
//
// One thread, one loop: zmq_poll over the connection, the launcher's ReadyFd and a signalfd,
// with a timeout for the next timer. Each turn it (1) takes the signals, (2) handles every
// message waiting (welcome, launch, signal, ack, reregister, stop), starting every attempt of
// a launch at once, (3) reaps every exit, (4) sends them in ONE `exited`, (5) runs the timers:
// heartbeat every heartbeat_ms, register again until welcomed, unacked exits again after
// resend_after, idle timeout, server timeout, stop progress, (6) samples the attempts' usage
// when due (killing those above their memory). It never blocks elsewhere.
//
// Exits are kept (ExitLedger) until the server acks them, in `ack` or `launch.acked`.
// `reregister` is answered with a register (running attempts and unacked exits); while one
// awaits its welcome, further reregisters (a restarted server answers each message queued
// while it was down with one) are not answered again.
//
// The welcome says what the worker was given (on a node shared with other workers, other CPUs
// or less memory than it offered: server/node_share.h); it adopts that and offers it in every
// later register, so that after a server restart its running tasks stay where they are. A
// `refuse` (no room on its node) kills whatever runs and Run returns kRefused with the reason.
//
// Ending: `stop` or the first SIGTERM/SIGINT/SIGHUP sends SIGTERM (and SIGCONT) to every
// attempt, SIGKILL after kill_grace (at once for `stop` with kill, or a second signal); once
// all exits are reported and acked (or ack_wait has passed) it sends goodbye and Run returns.
// The idle timeout leaves the same way with nothing to kill. After server_timeout without a
// message from the server it kills every attempt and returns kServerLost, without goodbye.
//
// Prints one line to stderr on register, welcome, stop and loss of the server; none per task.
// Not thread-safe. Destroying the agent SIGKILLs and reaps whatever still runs.
#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "protocol/access_file.h"
#include "worker/worker_agent_options.h"

namespace allot {

enum class WorkerEnd {
  kStopped,     // the server's `stop`
  kIdle,        // idle_timeout
  kSignaled,    // SIGTERM, SIGINT or SIGHUP: exit 128 + signal
  kServerLost,  // server_timeout
  kRefused,     // the server's `refuse`: its node has no room for this worker
  kAllocationEnded,  // WorkerAgentOptions::stops_wall_us: exit 75, as `allot run`
};

struct WorkerOutcome {
  WorkerEnd end = WorkerEnd::kStopped;
  int signal = 0;       // for kSignaled
  std::string message;  // for people: why it ended
};

class WorkerAgent {
 public:
  // Connects (in the background) to access.worker_endpoint with the access file's keys and
  // starts the process launcher. InvalidArgument for bad keys or name; IoError when the
  // signalfd, the launcher or the socket cannot be set up.
  static Result<std::unique_ptr<WorkerAgent>> Create(const AccessFile& access,
                                                     WorkerAgentOptions options);
  ~WorkerAgent();

  WorkerAgent(const WorkerAgent&) = delete;
  WorkerAgent& operator=(const WorkerAgent&) = delete;

  const std::string& name() const;
  // Runs until the worker ends (see above). An error only when the loop itself fails.
  Result<WorkerOutcome> Run();

 private:
  class Loop;
  explicit WorkerAgent(std::unique_ptr<Loop> loop);
  std::unique_ptr<Loop> loop_;
};

}  // namespace allot
