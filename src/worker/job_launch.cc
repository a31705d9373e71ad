#include "worker/job_launch.h"

#include <cstdio>
#include <string_view>

#include "model/shell_quote.h"
#include "model/task_result.h"
#include "worker/attempt_environment.h"
#include "worker/container_command.h"
#include "worker/python_runner.h"

namespace allot {
namespace {

Status WriteFile(const std::string& path, std::string_view text, std::string_view what) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  bool written = f != nullptr && std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (f != nullptr && std::fclose(f) != 0) written = false;
  if (!written) return Status::IoError(path + ": cannot write " + std::string(what));
  return Status::Ok();
}

}  // namespace

Status PrepareJobLaunch(const TaskSpec& spec, const std::string& task_dir,
                        const std::string& dep_results, const std::string& inner_command,
                        const std::vector<std::string>& extra_same_path, LaunchRequest* req) {
  const JobSpec& job = *spec.job;
  if (!job.params.empty()) {
    ALLOT_ASSIGN_OR_RETURN(std::string params, FillDepResultsInJson(job.params, dep_results));
    const std::string path = task_dir + "/params.json";
    ALLOT_RETURN_IF_ERROR(WriteFile(path, params + "\n", "its params"));
    SetVariable(&req->env, "ALLOT_PARAMS_FILE", path);
    SetVariable(&req->env, "JOB_PARAMS_FILE", path);  // the name scheduler_epic's tasks read
  }
  switch (job.kind) {
    case JobKind::kCommand:
      return Status::Ok();
    case JobKind::kPython: {
      const std::string runner = task_dir + "/allot_runner.py";
      ALLOT_RETURN_IF_ERROR(WriteFile(runner, PythonRunnerSource(), "the python runner"));
      std::string args;
      if (!job.python.args.empty()) {
        ALLOT_ASSIGN_OR_RETURN(args, FillDepResultsInJson(job.python.args, dep_results));
      }
      req->command = JoinShellWords(PythonRunnerArgv(PythonInterpreter(req->env, req->cwd),
                                                     runner, job.python, args));
      return Status::Ok();
    }
    case JobKind::kScript:
      req->command = JoinShellWords({job.script});
      return Status::Ok();
    case JobKind::kContainer: {
      ContainerJob c = job.container;
      c.command = inner_command;
      ContainerLaunch launch;
      launch.cwd = req->cwd;
      launch.same_path.push_back(task_dir);
      if (req->cwd != task_dir) launch.same_path.push_back(req->cwd);
      for (const std::string& d : extra_same_path) launch.same_path.push_back(d);
      launch.cpus = req->cpus;
      launch.memory_bytes = req->memory_limit_bytes;
      launch.env = ContainerEnvironment(req->env, spec.env);
      req->command = JoinShellWords(ContainerArgv(c, launch));
      return Status::Ok();
    }
  }
  return Status::Ok();
}

}  // namespace allot
