// The messages of the worker protocol (docs/CLUSTER.md, "Worker protocol"), as plain structs,
// and their wire form: one ZeroMQ frame holding a MessagePack map whose "t" names the type and
// whose other keys are exactly the field names of CLUSTER.md.
//
// Decoding never throws and never trusts its input: garbage, truncated frames, unknown types,
// missing fields, values of the wrong type or out of range, and nesting deeper than any message
// needs all give Corruption naming the message type and the field, e.g.
// "worker message launch: attempts[1].cpus[0]: expected an integer in [0, 2147483647]".
// Keys a message does not define are ignored, so later versions may add fields.
//
// An execution id is the 64-bit (task index << 32 | attempt) of core/outbox.h; this layer
// treats it as an opaque uint64_t. Thread-compatible: plain values and pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/result.h"
#include "model/boxed.h"
#include "model/checkpoint_spec.h"
#include "model/job_spec.h"
#include "model/outputs_spec.h"
#include "model/machine.h"
#include "model/node_resources.h"
#include "model/task_event.h"

namespace allot {

// ---- Pieces -----------------------------------------------------------------------------------

// An attempt a worker is running ("attempt" in CLUSTER.md).
struct RunningAttempt {
  uint64_t execution = 0;
  std::string task;
  uint32_t attempt = 0;
  std::vector<int> cpus;
  std::vector<int> gpus;
  int64_t memory_bytes = 0;  // "memory"
  bool operator==(const RunningAttempt&) const = default;
};

// How an attempt ended ("exit"): usage.exit_code / term_signal ("exit_code", "signal"), wall,
// user and sys CPU in microseconds ("wall_us", "user_us", "sys_us"), peak RSS in bytes
// ("max_rss"), bytes read and written ("read_bytes", "write_bytes"), peak cores x 1000
// ("peak_cores_milli": usage.peak_cores to 0.001), killed at its memory limit
// ("memory_exceeded"). `error` is non-empty when the attempt could not be started at all (then
// exit_code is -1 and signal 0). usage.timed_out is the server's knowledge and is not sent.
struct ExitReport {
  uint64_t execution = 0;
  std::string task;
  uint32_t attempt = 0;
  AttemptUsage usage;
  std::string error;
  // The worker was stopping (a signal such as Slurm's SIGTERM at the end of a job, an idle
  // stop) and ended this attempt itself, or refused to start it: the task did not fail, its
  // attempt is lost and runs again elsewhere. Not set for an attempt that succeeded anyway.
  bool stopped_by_worker = false;
  bool operator==(const ExitReport&) const = default;
};

// One node of a multi-node attempt ("nodes" of a launch): its host token (model/node_host.h)
// and the CPUs it holds there.
struct LaunchNode {
  std::string name;
  std::vector<int> cpus;
  bool operator==(const LaunchNode&) const = default;
};

// One attempt of a `launch`.
struct AttemptToLaunch {
  uint64_t execution = 0;
  std::string task;
  uint32_t attempt = 0;
  std::string command;
  std::vector<std::pair<std::string, std::string>> env;  // the task's own variables, in order
  std::string workdir;  // the process's cwd; empty: the task's output directory
  std::vector<int> cpus;
  std::vector<int> gpus;
  int64_t memory_bytes = 0;  // "memory"
  std::optional<CheckpointSpec> checkpoint;  // the task's checkpoint contract, if it has one
  std::optional<OutputsSpec> outputs;        // its declared outputs, if it has some
  std::vector<std::string> inputs;  // what its dependencies produced (LocalWorker::Start)
  std::string dep_results;  // what its dependencies returned (model/task_result.h); "": none
  Boxed<JobSpec> job;       // its job type and params (model/job_spec.h), if not a plain command
  // A task with an executor (TaskSpec::executor: run as a batch job of its own) only: what
  // its job asks for beyond cpus, gpus and memory ("batch"; empty for others).
  std::optional<Duration> time_limit;
  Duration grace_period{0};
  std::map<std::string, std::string> batch_tags;  // its tags among kBatchJobTags
  // A multi-node attempt: every node, this worker's (the leader) first; absent (empty) for one
  // node. The worker gives it ALLOT_NODES, ALLOT_NODE_COUNT, ALLOT_NODE_CPUS, ALLOT_HOSTFILE and
  // ALLOT_NODE_EXEC (worker/node_environment.h).
  std::vector<LaunchNode> nodes;
  bool operator==(const AttemptToLaunch&) const = default;
};

// One entry of a `signal`.
struct SignalRequest {
  uint64_t execution = 0;
  int signal = 0;
  bool operator==(const SignalRequest&) const = default;
};

// ---- Worker -> server -------------------------------------------------------------------------

struct MetricReport {
  uint64_t execution = 0;
  std::string name;
  double value = 0;
  std::optional<int64_t> step;
  int64_t time_us = 0;
  // Its place among the attempt's metrics, 1, 2, ...: a worker sends them all again in each
  // register (after a server restart, a lost connection), and the server takes only those
  // past the last it has. 0 (absent, older workers): taken as it comes.
  int64_t index = 0;
  bool operator==(const MetricReport&) const = default;
};

struct RegisterMessage {
  std::string name;  // unique: "<host>:<pid>:<random>" unless given
  std::string host;
  int64_t pid = 0;
  Machine machine;     // what it offers
  NodeResources node;  // what its node has for it ("node" {name, cpus, memory}); an older
                       // worker sends none (empty name): it keeps its machine, unshared
  std::vector<RunningAttempt> running;
  std::vector<ExitReport> finished;  // exits the server has not acked
  // The metrics of those attempts, running and finished, sent so far (numbered: the server
  // takes those past the last it has, before the finished ones' exits): what a restarted
  // server lost, or never got while it was down. Absent from older workers.
  std::vector<MetricReport> metrics;
  std::string slurm_job;  // SLURM_JOB_ID of the job it runs in; "" (absent): none
  // When the worker stops because its allocation ends (its end minus its margin), Unix
  // microseconds ("stops_us"); 0: no end known (absent from older workers).
  int64_t stops_us = 0;
  bool operator==(const RegisterMessage&) const = default;
};

// The node as the worker's system sampler saw it since the previous heartbeat. Fixed-point
// integers on the wire: "cores_busy_milli" 1500 is 1.5 cores busy.
struct NodeUsage {
  int64_t cores_busy_milli = 0;             // sum over CPUs of their busy fraction, x 1000
  std::vector<int64_t> core_busy_permille;  // per CPU of the node, in CPU id order
  int64_t memory_total = 0;                 // bytes
  int64_t memory_available = 0;             // bytes
  int64_t load1_centi = 0;                  // 1-minute load average x 100
  bool operator==(const NodeUsage&) const = default;
};

struct HeartbeatMessage {
  // Executions the worker runs or holds an unacked exit of: an attempt the server placed here
  // long enough ago that is not among them never arrived (a launch lost with a connection).
  std::vector<uint64_t> running;
  NodeUsage node;
  bool operator==(const HeartbeatMessage&) const = default;
};

struct ExitedMessage {
  std::vector<ExitReport> exits;
  bool operator==(const ExitedMessage&) const = default;
};

// Metrics the worker's running attempts reported (model/metric_point.h) since the last such
// message: each {execution, name, value, [step], time_us}. Sent in the turn they were read,
// before the exits of those attempts; not acked (a connection lost meanwhile loses them).

struct MetricsMessage {
  std::vector<MetricReport> metrics;
  bool operator==(const MetricsMessage&) const = default;
};

// What a node run (NodeRunMessage) ended with: `exit` as an attempt's exit (its task and
// attempt those of the multi-node attempt), and the run's number.
struct NodeExitedMessage {
  uint32_t run = 0;
  ExitReport exit;
  bool operator==(const NodeExitedMessage&) const = default;
};

struct GoodbyeMessage {
  std::string reason;  // "stop", "idle", "signal SIGTERM", ...
  bool operator==(const GoodbyeMessage&) const = default;
};

using WorkerToServer = std::variant<RegisterMessage, HeartbeatMessage, ExitedMessage,
                                    GoodbyeMessage, MetricsMessage, NodeExitedMessage>;

// ---- Server -> worker -------------------------------------------------------------------------

struct WelcomeMessage {
  uint64_t worker_id = 0;
  std::string instance;      // the server's AccessFile::instance
  int64_t heartbeat_ms = 0;  // > 0
  std::string output_dir;    // task output goes to <output_dir>/<task>/stdout, stderr
  // What the worker has been given: its offer, or on a node it shares with other workers the
  // CPUs and memory the server assigned it (server/node_share.h). Absent from an older server.
  std::optional<Machine> machine;
  bool operator==(const WelcomeMessage&) const = default;
};

// The server will not take this worker (its node has nothing left for it): it exits.
struct RefuseMessage {
  std::string reason;  // names the node, the other workers there and what they hold
  bool operator==(const RefuseMessage&) const = default;
};

struct LaunchMessage {
  std::vector<AttemptToLaunch> attempts;
  std::vector<uint64_t> acked;  // executions whose exits are durable: forget them
  bool operator==(const LaunchMessage&) const = default;
};

struct SignalMessage {
  std::vector<SignalRequest> signals;
  bool operator==(const SignalMessage&) const = default;
};

struct AckMessage {
  std::vector<uint64_t> acked;
  bool operator==(const AckMessage&) const = default;
};

struct ReregisterMessage {
  bool operator==(const ReregisterMessage&) const = default;
};

struct StopMessage {
  bool kill = false;  // SIGKILL at once instead of SIGTERM and SIGKILL after the grace period
  bool operator==(const StopMessage&) const = default;
};

// Runs `command` (with /bin/sh -c, as ssh would) on this worker as part of multi-node attempt
// `execution`, whose node here holds `cpus`: pinned to them, in its own process group, signaled
// with the attempt (a `signal` for `execution` reaches it too), its output in
// <output_dir>/<task>/node-<node>-<run>.stdout|stderr. Its end comes back as `node_exited`.
// (`allot node-exec`, docs/CLUSTER.md.)
struct NodeRunMessage {
  uint64_t execution = 0;
  uint32_t run = 0;  // the server's number for it
  std::string task;
  uint32_t attempt = 0;
  std::string node;  // this worker's host token in the attempt
  std::string command;
  std::string cwd;  // empty: the task's output directory
  std::vector<int> cpus;
  bool operator==(const NodeRunMessage&) const = default;
};

using ServerToWorker = std::variant<WelcomeMessage, LaunchMessage, SignalMessage, AckMessage,
                                    ReregisterMessage, StopMessage, RefuseMessage,
                                    NodeRunMessage>;

// ---- Wire form --------------------------------------------------------------------------------

// The "t" of a message: "register", "heartbeat", ..., "stop".
std::string_view MessageType(const WorkerToServer& message);
std::string_view MessageType(const ServerToWorker& message);

// One frame. A message converts implicitly: Encode(HeartbeatMessage{}).
std::string Encode(const WorkerToServer& message);
std::string Encode(const ServerToWorker& message);

// Corruption as described at the top of this file; a server-to-worker type where a
// worker-to-server one is expected (and vice versa) is an unknown type.
Result<WorkerToServer> DecodeWorkerToServer(std::string_view frame);
Result<ServerToWorker> DecodeServerToWorker(std::string_view frame);

}  // namespace allot
