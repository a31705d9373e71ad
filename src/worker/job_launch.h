// What a task's job type and params (model/job_spec.h) make of its attempt's launch, once its
// environment and working directory are known (LocalWorker::Start):
//  - params: filled with its dependencies' results ("{dep.result.KEY}", model/task_result.h),
//    written to <task dir>/params.json, named by ALLOT_PARAMS_FILE and JOB_PARAMS_FILE;
//  - python: the runner written to <task dir>/allot_runner.py and run by the task's
//    interpreter (worker/python_runner.h);
//  - script: the file exec'd directly;
//  - container: the engine's command line (worker/container_command.h), with the task's
//    directory, its working directory and `extra_same_path` mounted at their own paths.
// A command task keeps req->command. Errors (a file that cannot be written, a KEY no result has)
// mean nothing may start.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "exec/process_launcher.h"
#include "model/task_spec.h"

namespace allot {

// `inner_command`: the container's command with its placeholders filled (Start fills a
// command task's own command the same way). REQUIRES: spec.job.
Status PrepareJobLaunch(const TaskSpec& spec, const std::string& task_dir,
                        const std::string& dep_results, const std::string& inner_command,
                        const std::vector<std::string>& extra_same_path, LaunchRequest* req);

}  // namespace allot
