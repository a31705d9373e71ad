// The runner of a `python:` task (model/job_spec.h): a small Python program that the worker
// writes into the task's directory (allot_runner.py; run it by hand to debug a task) and runs
// with the task's interpreter as the attempt's process, so cores, pinning, memory and time
// limits, cancel and usage measurement apply as to any command.
//
//   python3 <task dir>/allot_runner.py MODULE FUNCTION [ARGS_JSON]
//
// It puts the task's working directory first on sys.path, imports MODULE (a dotted name, or a
// .py file by path, whose directory then comes first), calls FUNCTION(*ARGS, **params) with
// params read from $ALLOT_PARAMS_FILE, and writes the JSON of the return value to
// $ALLOT_RESULT_FILE (None: no result). It exits
//   - 1 when the function (or the module, at import) raises: the traceback, without the
//     runner's frames, is on stderr; a failure of the task's own, retried within max_retries;
//   - 127 when the module or the function is not there ("allot: no module named 'sim' ...",
//     "allot: module 'sim' has no function 'run'"), and 126 when the return value cannot be a
//     result ("allot: result of sim.run is not JSON-serializable: ...", or over 1 MiB): like a
//     command the shell cannot find or run, these are not retried.
// Its reason quotes the last line of stderr (LocalWorker).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/job_spec.h"

namespace allot {

// The runner's source.
std::string_view PythonRunnerSource();

// The interpreter of a python task: python3 in the attempt's PATH (`env`: "KEY=VALUE", the
// task's env over the worker's), else /usr/bin/python3.
std::string PythonInterpreter(const std::vector<std::string>& env, const std::string& cwd);

// The argv of the attempt: {interpreter, runner, module, function[, args]}.
std::vector<std::string> PythonRunnerArgv(const std::string& interpreter,
                                          const std::string& runner_path, const PythonJob& job,
                                          const std::string& args);

}  // namespace allot
