// The command line that runs a `container:` task (model/job_spec.h) through its engine. The
// engine's client is the attempt's process: the launcher starts, signals and times it like any
// command.
//
// podman and docker:
//   ENGINE run --rm --init [--cpuset-cpus C] [--memory B] --volume D:D ... [--volume M ...]
//          --workdir CWD --env NAME=VALUE ... IMAGE [WORDS]
//   - --rm: the container is removed when it ends; --init: a small init (catatonit/tini) is
//     its PID 1, so signals reach the command and zombies are reaped.
//   - `run` proxies signals (--sig-proxy is on by default): the SIGTERM of a time limit, a
//     cancel or a preemption goes to the command in the container.
//   - --cpuset-cpus: the attempt's CPUs; --memory: its memory (in bytes), when it has one.
// apptainer and singularity:
//   ENGINE exec --cleanenv --pwd CWD --bind D:D ... [--bind M ...] --env NAME=VALUE ...
//          IMAGE WORDS           (no command: ENGINE run ... IMAGE)
//   - the container's processes are the engine's own children, in the attempt's process group:
//     its CPU affinity, memory limit and usage measurement apply as to any command.
// D: each directory of `same_path` (the task's directory, its working directory, a checkpointing
// task's checkpoint directory), mounted at the same path, so $ALLOT_RESULT_FILE,
// $ALLOT_PARAMS_FILE and the rest mean the same inside.
// WORDS: the container's command split into words when it is plain words
// (exec/command_line.h), else /bin/sh -c COMMAND.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "model/job_spec.h"

namespace allot {

struct ContainerLaunch {
  std::string cwd;                     // the working directory inside (= outside)
  std::vector<std::string> same_path;  // directories mounted at their own path, cwd included
  std::vector<int> cpus;               // empty: no pinning
  int64_t memory_bytes = 0;            // 0: no limit
  std::vector<std::pair<std::string, std::string>> env;  // passed in, in order
};

std::vector<std::string> ContainerArgv(const ContainerJob& job, const ContainerLaunch& launch);

// The variables of a complete attempt environment (`env`, "KEY=VALUE") that go into a
// container: allot's (ALLOT_*, PILOT_*, JOB_PARAMS_FILE, OMP_NUM_THREADS,
// CUDA_VISIBLE_DEVICES) and the task's own (`task_env` names), in `env`'s order. Not the
// worker's PATH, HOME and the like: the image has its own.
std::vector<std::pair<std::string, std::string>> ContainerEnvironment(
    const std::vector<std::string>& env,
    const std::vector<std::pair<std::string, std::string>>& task_env);

}  // namespace allot
