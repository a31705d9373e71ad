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

namespace allot {

struct AttemptPlan {
  RunId run_id = 0;
  const TaskSpec* spec = nullptr;
  uint32_t attempt = 0;
  const std::vector<int>* cpus = nullptr;
  const std::vector<int>* gpus = nullptr;
  int64_t memory_limit_bytes = 0;  // the memory allocated to it; 0: no limit
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
  // that verifies; empty: none) and ALLOT_CHECKPOINT_OUT (worker/checkpoint_store.h).
  Status Start(const AttemptPlan& plan);
  // After the launcher reported `exit`: seals a checkpointing attempt's checkpoint and puts its
  // record into exit->usage (checkpoint, checkpointed). Only an attempt that exited by itself
  // with its checkpoint exit code or 0 leaves a set; what one that was killed or failed wrote
  // is discarded (it may be half written). Other attempts: nothing. `now_us`: Unix microseconds.
  void Finish(ProcessExit* exit, int64_t now_us);
  // Called with each checkpoint set sealed (its directory and manifest): failure injection
  // corrupts some (server/failure_injector.h).
  void set_after_seal(std::function<void(const std::string&, const CheckpointManifest&)> f) {
    after_seal_ = std::move(f);
  }
  // Where lines for people go (a rejected checkpoint set); none: nowhere.
  void set_log(std::function<void(const std::string&)> log) { log_ = std::move(log); }
  Status Signal(RunId run_id, int signal) { return launcher_->Signal(run_id, signal); }

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
  std::function<void(const std::string&)> log_;
  std::function<void(const std::string&, const CheckpointManifest&)> after_seal_;
};

}  // namespace allot
