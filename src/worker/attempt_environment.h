// AttemptEnvironment: the complete environment of a task attempt: allot's own environment,
// then ALLOT_TASK_ID, ALLOT_ATTEMPT, ALLOT_EXECUTION_ID, ALLOT_CORES, ALLOT_WORKDIR,
// PILOT_TASK_ID and PILOT_TASK_DIR (the allocation scheduler's names for the id and the task
// directory), OMP_NUM_THREADS and CUDA_VISIBLE_DEVICES (when the machine has GPUs), then the task's `env`,
// which wins over everything before it. Built once per attempt; thread-compatible.
#pragma once

#include <string>
#include <vector>

#include "model/task_spec.h"

namespace allot {

struct AttemptFacts {
  const TaskSpec* spec = nullptr;
  uint32_t attempt = 0;
  std::string execution_id;
  const std::vector<int>* cpus = nullptr;  // ALLOT_CORES
  int threads = 0;                         // OMP_NUM_THREADS; 0: the number of cpus
  const std::vector<int>* gpus = nullptr;
  std::string task_dir;  // <workdir>/<task id>
};

class AttemptEnvironment {
 public:
  // `base` is the parent environment as "KEY=VALUE" strings (usually `environ`).
  AttemptEnvironment(std::vector<std::string> base, bool machine_has_gpus);
  // Captures the current process environment.
  static std::vector<std::string> CurrentEnvironment();

  std::vector<std::string> Build(const AttemptFacts& facts) const;

 private:
  std::vector<std::string> base_;  // without the variables set per attempt
  bool machine_has_gpus_;
};

// "0,1,5"
std::string JoinInts(const std::vector<int>& values);

// Sets NAME=value in `env`, replacing an entry of that name.
void SetVariable(std::vector<std::string>* env, const std::string& name, const std::string& value);

}  // namespace allot
