// JobSpec: what a task runs when it is not a shell command (`python:`, `script:`,
// `container:`), and the `params` any task may have.
//
// The contract (README "Job types"):
//  - A task has exactly one of command, python, script, container. TaskSpec::command holds the
//    command of a command task and is empty for the others.
//  - `params` (any task): a JSON object. At launch it is written to <task dir>/params.json and
//    $ALLOT_PARAMS_FILE and $JOB_PARAMS_FILE name that file; a string in it that is exactly
//    "{dep.result.KEY}" becomes that value of a dependency's result (its JSON type kept), one
//    that merely contains such placeholders gets them as text (model/task_result.h). A sweep
//    fills "{name}" in its strings alike: alone, a number or boolean value keeps its type.
//  - python: the worker runs a small runner (worker/python_runner.h) in a fresh interpreter:
//    it imports `module`, calls `function(*args, **params)` and writes the JSON of its return
//    value to $ALLOT_RESULT_FILE.
//  - script: the file is exec'd directly (its shebang picks the interpreter).
//  - container: `command` runs in `image` through `engine` (worker/container_command.h).
// Plain data; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace allot {

enum class JobKind : uint8_t { kCommand, kPython, kScript, kContainer };

// "command", "python", "script", "container": the task-file field of each kind.
std::string_view JobKindName(JobKind kind);

struct PythonJob {
  // A dotted module name (importable from the task's working directory or PYTHONPATH), or an
  // absolute path to a .py file (relative ones are resolved against the task file's directory
  // when the file is loaded).
  std::string module;
  // A name in the module; dots walk attributes (`Model.run` calls Model.run).
  std::string function;
  // Positional arguments: a compact JSON array; "": none.
  std::string args;
  bool operator==(const PythonJob&) const = default;
};

// The container engines allot writes command lines for.
inline constexpr std::string_view kContainerEngines[] = {"podman", "docker", "apptainer",
                                                         "singularity"};

struct ContainerJob {
  std::string image;
  // A command line run in the container: exec'd as words when it is plain words, else by
  // /bin/sh -c in the container. "": the image's own command (podman/docker) or `run` of the
  // image (apptainer/singularity).
  std::string command;
  std::string engine = "podman";  // one of kContainerEngines
  // "HOST:CONTAINER" or "HOST:CONTAINER:ro"; HOST absolute once loaded.
  std::vector<std::string> mounts;
  bool operator==(const ContainerJob&) const = default;
};

struct JobSpec {
  JobKind kind = JobKind::kCommand;
  PythonJob python;        // kPython
  std::string script;      // kScript: an absolute path
  ContainerJob container;  // kContainer
  std::string params;      // a compact JSON object; "": none
  bool operator==(const JobSpec&) const = default;
};

// For people: "python: sim.run", "script: /abs/step.sh", "container: alpine (podman)".
// Empty for a command.
std::string DescribeJob(const JobSpec& job);

}  // namespace allot
