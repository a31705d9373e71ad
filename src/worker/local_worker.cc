#include "worker/local_worker.h"

#include "model/task_id.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <system_error>
#include <string_view>

#include "protocol/private_directory.h"

namespace allot {

LocalWorker::LocalWorker(ProcessLauncher* launcher, std::string output_dir,
                         AttemptEnvironment environment)
    : launcher_(launcher), output_dir_(std::move(output_dir)), environment_(std::move(environment)) {}

void LocalWorker::RunSlotsOn(const Machine& machine) {
  slot_cpu_.clear();
  for (const Cpu& c : machine.cpus) {
    if (c.runs_on >= 0) slot_cpu_[c.os_index] = c.runs_on;
  }
}

Status LocalWorker::Start(const AttemptPlan& plan) {
  LaunchRequest req;
  req.run_id = plan.run_id;
  std::string dir = TaskDir(plan.spec->id);
  ALLOT_RETURN_IF_ERROR(MakePrivateDirectory(dir));
  req.stdout_path = dir + "/stdout";
  req.stderr_path = dir + "/stderr";
  if (plan.attempt > 1) {
    // Keep what the previous attempt wrote.
    std::string suffix = "." + std::to_string(plan.attempt - 1);
    std::rename(req.stdout_path.c_str(), (req.stdout_path + suffix).c_str());
    std::rename(req.stderr_path.c_str(), (req.stderr_path + suffix).c_str());
  }
  req.command = plan.spec->command;
  req.cwd = plan.spec->workdir.empty() ? dir : plan.spec->workdir;
  if (!plan.spec->workdir.empty()) {
    // A workdir that does not exist yet (a sweep's "runs/{n}") is made, with its parents, as
    // the user's umask has it.
    std::error_code ec;
    std::filesystem::create_directories(req.cwd, ec);
    if (ec) {
      return Status::IoError("working directory " + req.cwd + ": cannot be created: " +
                             ec.message());
    }
  }
  req.cpus = *plan.cpus;
  if (!slot_cpu_.empty()) {
    req.cpus.clear();
    for (int slot : *plan.cpus) {
      auto shared = slot_cpu_.find(slot);
      int cpu = shared == slot_cpu_.end() ? slot : shared->second;
      if (std::find(req.cpus.begin(), req.cpus.end(), cpu) == req.cpus.end()) {
        req.cpus.push_back(cpu);
      }
    }
  }
  req.memory_limit_bytes = plan.memory_limit_bytes;
  AttemptFacts facts;
  facts.spec = plan.spec;
  facts.attempt = plan.attempt;
  facts.execution_id = ExecutionRef(plan.spec->id, plan.attempt);
  facts.cpus = &req.cpus;
  facts.threads = static_cast<int>(plan.cpus->size());
  facts.gpus = plan.gpus;
  facts.task_dir = std::move(dir);
  req.env = environment_.Build(facts);
  // The launcher finds the attempt's processes that left its process group by this entry
  // (there is one: Build replaces same-named entries; it is near the end).
  constexpr std::string_view kTagKey = "ALLOT_EXECUTION_ID=";
  for (auto it = req.env.rbegin(); it != req.env.rend(); ++it) {
    if (it->compare(0, kTagKey.size(), kTagKey) == 0) {
      req.env_tag = *it;
      break;
    }
  }
  return launcher_->Launch(req);
}

}  // namespace allot
