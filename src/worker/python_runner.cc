#include "worker/python_runner.h"

#include "exec/executable_lookup.h"

namespace allot {

std::string_view PythonRunnerSource() {
  // Python source, kept as it is written to the task directory (its lines, not this file's
  // column limit).
  static constexpr std::string_view kSource =
      R"PY(# allot's runner of a `python:` task (src/worker/python_runner.cc; README "Job types").
# Usage: python3 allot_runner.py MODULE FUNCTION [ARGS_JSON]
# Calls MODULE.FUNCTION(*ARGS, **params) -- params from $ALLOT_PARAMS_FILE -- and writes the JSON
# of its return value to $ALLOT_RESULT_FILE (None: no result). Exit 127: the module or function
# is not there; 126: the return value cannot be a result; 1: the function raised (traceback on
# stderr).
import importlib
import importlib.util
import json
import os
import sys
import traceback

MAX_RESULT_BYTES = 1 << 20


def fail(code, message):
    sys.stderr.write("allot: " + message + "\n")
    sys.stderr.flush()
    sys.exit(code)


def user_error(e):
    """The traceback of an exception of the user's code, without this runner's frames."""
    traceback.print_exception(type(e), e, e.__traceback__.tb_next)
    sys.stderr.flush()
    sys.exit(1)


def load(module):
    if module.endswith(".py"):
        if not os.path.isfile(module):
            fail(127, "no module file " + module)
        name = os.path.splitext(os.path.basename(module))[0]
        sys.path.insert(0, os.path.dirname(os.path.abspath(module)))
        spec = importlib.util.spec_from_file_location(name, module)
        if spec is None or spec.loader is None:
            fail(127, "cannot load " + module + " as a Python module")
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
        return mod
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as e:
        if e.name is not None and (module == e.name or module.startswith(e.name + ".")):
            fail(127, "no module named '" + module + "' (looked in " + os.getcwd() +
                 " and sys.path; set PYTHONPATH in the task's env)")
        raise


def main():
    module, function = sys.argv[1], sys.argv[2]
    stem = os.path.splitext(os.path.basename(module))[0] if module.endswith(".py") else module
    label = stem + "." + function
    args = json.loads(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3] else []
    # Imports as from the task's working directory, not from this file's.
    sys.path[0] = os.getcwd()
    sys.argv = [module]
    params = {}
    params_file = os.environ.get("ALLOT_PARAMS_FILE", "")
    if params_file and os.path.exists(params_file):
        with open(params_file) as f:
            params = json.load(f)
    try:
        mod = load(module)
    except Exception as e:
        user_error(e)
    target = mod
    for part in function.split("."):
        if not hasattr(target, part):
            fail(127, "module '" + module + "' has no function '" + function + "'")
        target = getattr(target, part)
    if not callable(target):
        fail(127, label + " is not callable (it is a " +
             type(target).__name__ + ")")
    try:
        value = target(*args, **params)
    except Exception as e:
        user_error(e)
    if value is None:
        return
    try:
        text = json.dumps(value, allow_nan=False)
    except (TypeError, ValueError, OverflowError, RecursionError) as e:
        fail(126, "result of " + label + " is not JSON-serializable: " + str(e))
    if len(text.encode()) > MAX_RESULT_BYTES:
        fail(126, "result of " + label + " is " + str(len(text.encode())) +
             " bytes of JSON, over the cap of 1 MiB (write large data to files and declare "
             "them as outputs)")
    with open(os.environ["ALLOT_RESULT_FILE"], "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
)PY";
  return kSource;
}

std::string PythonInterpreter(const std::vector<std::string>& env, const std::string& cwd) {
  std::string_view path;
  if (!FindEnvValue(env, "PATH", &path)) path = DefaultSearchPath();
  std::string found;
  if (FindExecutable("python3", path, cwd, &found)) return found;
  return "/usr/bin/python3";
}

std::vector<std::string> PythonRunnerArgv(const std::string& interpreter,
                                          const std::string& runner_path, const PythonJob& job,
                                          const std::string& args) {
  std::vector<std::string> argv = {interpreter, runner_path, job.module, job.function};
  if (!args.empty()) argv.push_back(args);
  return argv;
}

}  // namespace allot
