// LocalWorker: runs task attempts on this machine. For each attempt it makes the task's
// directory <output_dir>/<task id>/ (keeping earlier attempts' output as stdout.N/stderr.N),
// builds its environment, and hands it to the ProcessLauncher with its CPU affinity.
// Not thread-safe: owned by the event loop thread. The launcher must outlive it.
#pragma once

#include <functional>
#include <map>
#include <unordered_map>
#include <string>
#include <vector>

#include "common/status.h"
#include "exec/process_launcher.h"
#include "model/checkpoint_report.h"
#include "model/machine.h"
#include "model/task_spec.h"
#include "worker/attempt_environment.h"
#include "worker/background_jobs.h"
#include "worker/metrics_tail.h"
#include "worker/node_environment.h"

namespace allot {

struct AttemptPlan {
  RunId run_id = 0;
  const TaskSpec* spec = nullptr;
  uint32_t attempt = 0;
  const std::vector<int>* cpus = nullptr;
  const std::vector<int>* gpus = nullptr;
  int64_t memory_limit_bytes = 0;  // the memory allocated to it; 0: no limit
  // What its dependencies produced of their declared outputs (Scheduler::InputsOf): its
  // $ALLOT_INPUTS and {dep.outputs}. Null: none.
  const std::vector<std::string>* inputs = nullptr;
  // What its dependencies returned (Scheduler::DepResultsOf): written to dep_results.json in
  // its task directory for $ALLOT_DEP_RESULTS, and what "{dep.result.KEY}" takes. Null or "":
  // none.
  const std::string* dep_results = nullptr;
  // A multi-node attempt: its nodes, this one first (worker/node_environment.h). Null or empty:
  // one node.
  const std::vector<AttemptNode>* nodes = nullptr;
  // The server directory, for its ALLOT_NODE_EXEC; "": node-exec reads ALLOT_SERVER_DIR.
  std::string server_dir;
};

// A command run on this worker's node of a multi-node attempt (`allot node-exec`): pinned to
// `cpus`, in its own process group, output in <task dir>/node-<node>-<run>.stdout|stderr.
struct NodeRunPlan {
  RunId run_id = 0;
  std::string task_id;
  uint32_t attempt = 0;
  std::string node;  // this worker's host token in the attempt
  uint32_t run = 0;  // the server's number for it
  std::string command;
  std::string cwd;  // "" or missing: the task directory
  const std::vector<int>* cpus = nullptr;
};

class LocalWorker {
 public:
  LocalWorker(ProcessLauncher* launcher, std::string output_dir, AttemptEnvironment environment);

  // Slots of `machine` that share a CPU (Cpu::runs_on) run there: an attempt's affinity and
  // ALLOT_CORES name the CPUs its slots run on (each once); OMP_NUM_THREADS stays its slot count.
  void RunSlotsOn(const Machine& machine);

  // The task directory for `task_id`.
  std::string TaskDir(const std::string& task_id) const { return output_dir_ + "/" + task_id; }
  // Starts the attempt. A checkpointing task's attempt gets ALLOT_CHECKPOINT_DIR (the newest set
  // that verifies; empty: none) and ALLOT_CHECKPOINT_OUT (worker/checkpoint_store.h). With
  // plan.inputs, it gets ALLOT_INPUTS (one per line) and "{dep.outputs}" in its command is
  // replaced by them, shell-quoted (model/outputs_spec.h); without, by nothing. Every attempt
  // gets ALLOT_RESULT_FILE (<task dir>/result.json, removed first: model/task_result.h) and
  // ALLOT_METRICS_FILE (<task dir>/metrics.jsonl, made empty and watched); with
  // plan.dep_results, ALLOT_DEP_RESULTS and its "{dep.result.KEY}" filled (a KEY no result has:
  // NotFound, nothing started). A python function, script or container task, or one with
  // params, is launched as worker/job_launch.h says; the exit of a python task that failed
  // gets the last line of its stderr as its stderr_tail (its reason quotes it), and that of a
  // container whose engine failed (exit 125) the last three.
  Status Start(const AttemptPlan& plan);
  // Starts a node run. Its exit comes through Finish like an attempt's (nothing is held).
  Status StartNodeRun(const NodeRunPlan& plan);
  // After the launcher reported `exit`; false: it is held, not ended yet (its checkpoint is
  // being sealed, its validation runs or its outputs are being hashed: it comes back from
  // CollectReady, or as the validation's exit here). For an attempt's own exit:
  //  - a checkpointing attempt's checkpoint is sealed, on the background thread
  //    (worker/background_jobs.h), and its record put into exit->usage (checkpoint,
  //    checkpointed). Only an attempt that exited by itself with its checkpoint exit code or 0
  //    leaves a set; what one that was killed or failed wrote is discarded (it may be half
  //    written);
  //  - an attempt that exited 0 and left $ALLOT_RESULT_FILE: usage.result gets its JSON, or
  //    usage.output_error says why it is not a result (not JSON, over the cap);
  //  - a task with declared outputs that exited 0: a missing output sets usage.output_error;
  //    with `validate`, the validation starts (as run_id | kValidationRun, validate.stdout and
  //    validate.stderr in the task's directory) and the exit is held; without, or once it
  //    passed, the files are hashed on the background thread and the exit is held until
  //    CollectReady gives it back with usage.outputs set. A failed validation sets
  //    output_error.
  // `now_us`: Unix microseconds.
  bool Finish(ProcessExit* exit, int64_t now_us);
  // Readable when a running attempt wrote metrics (worker/metrics_tail.h); -1 without inotify.
  int MetricsFd() const { return metrics_.ReadyFd(); }
  // Appends the metrics running attempts wrote since the last call, and the last ones of
  // attempts that exited since (Finish reads them). Call it before reporting those exits: an
  // attempt's metrics come before its end.
  void CollectMetrics(int64_t now_us, std::vector<RunMetric>* out);
  // Readable while CollectReady has exits to give (held exits whose outputs are hashed).
  int ReadyFd() const { return jobs_.ReadyFd(); }
  // Appends the held exits that are done: each as the attempt's exit, to report as such.
  void CollectReady(std::vector<ProcessExit>* out);
  // Whether `run_id`'s exit is held for its validation.
  bool Validating(RunId run_id) const { return validating_.count(run_id) != 0; }
  // Called with each checkpoint set sealed (its directory and manifest): failure injection
  // corrupts some (server/failure_injector.h).
  void set_after_seal(std::function<void(const std::string&, const CheckpointManifest&)> f) {
    after_seal_ = std::move(f);
  }
  // Where lines for people go (a rejected checkpoint set); none: nowhere.
  void set_log(std::function<void(const std::string&)> log) {
    metrics_.set_log(log);
    log_ = std::move(log);
  }
  // Signals the attempt's process group, or its validation while that runs.
  Status Signal(RunId run_id, int signal) {
    return launcher_->Signal(Validating(run_id) ? run_id | kValidationRun : run_id, signal);
  }

  // The bit that marks a validation's run id.
  static constexpr RunId kValidationRun = RunId{1} << 63;

 private:
  ProcessLauncher* launcher_;
  std::string output_dir_;
  AttemptEnvironment environment_;
  std::map<int, int> slot_cpu_;  // slot id -> the CPU it runs on, for shared slots only
  struct Checkpointing {
    std::string root;
    uint32_t attempt = 0;
    CheckpointSpec spec;
    CheckpointReport report;  // what Prepare found
  };
  std::unordered_map<RunId, Checkpointing> checkpointing_;  // running checkpointing attempts
  // An attempt of a task with declared outputs: what its check needs.
  struct Producing {
    OutputsSpec spec;
    LaunchRequest request;  // the attempt's, for its validation
    std::string task_dir;
  };
  std::unordered_map<RunId, Producing> producing_;
  std::unordered_map<RunId, ProcessExit> validating_;  // held exits, by the attempt's run id
  std::unordered_map<RunId, std::string> result_files_;  // each running attempt's result file
  // Attempts whose failure the end of their stderr names (Finish): python tasks (any exit),
  // container tasks (the engine's own exit 125).
  struct NamedByStderr {
    std::string path;
    bool any_exit = false;
  };
  std::unordered_map<RunId, NamedByStderr> named_by_stderr_;
  // Reads the result file of an attempt that exited 0 into exit->usage (Finish).
  void ReadResult(ProcessExit* exit);

  // Seals (on the background thread: false, the exit is held) or discards a checkpointing
  // attempt's checkpoint (Finish).
  bool FinishCheckpoint(ProcessExit* exit, int64_t now_us);
  // The declared-output stage of an exit whose checkpoint is done; false: held.
  bool CheckProduced(ProcessExit* exit);
  // The declared-output check of a clean exit (Finish); false: validation started.
  bool CheckOutputs(Producing& p, ProcessExit* exit);
  // Hands `p`'s outputs to the hasher with the exit (false: held), or sets what is wrong in
  // exit->usage.output_error (true: it ends now).
  bool DescribeProduced(const Producing& p, ProcessExit* exit);
  BackgroundJobs jobs_;
  MetricsTail metrics_;
  std::string self_dir_;  // where this allot executable is ($PATH's last resort in tasks)
  std::string self_exe_;  // $ALLOT_BIN
  std::vector<RunMetric> exited_metrics_;  // read by Finish, not yet collected
  std::function<void(const std::string&)> log_;
  std::function<void(const std::string&, const CheckpointManifest&)> after_seal_;
};

}  // namespace allot
