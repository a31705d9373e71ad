#include "worker/local_worker.h"

#include "model/task_id.h"

#include <algorithm>
#include <optional>
#include <cstdio>
#include <filesystem>
#include <system_error>
#include <string_view>

#include "protocol/private_directory.h"
#include "worker/checkpoint_store.h"

namespace allot {
namespace {

// Sets NAME=value in `env`, replacing an entry of that name.
void SetVariable(std::vector<std::string>* env, const std::string& name, const std::string& value) {
  const std::string prefix = name + "=";
  std::erase_if(*env, [&](const std::string& e) { return e.compare(0, prefix.size(), prefix) == 0; });
  env->push_back(prefix + value);
}

}  // namespace

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
  std::optional<Checkpointing> checkpointing;
  if (plan.spec->checkpoint) {
    // The checkpoint contract (model/checkpoint_spec.h): the newest set that verifies, and an
    // empty directory to write the next into.
    CheckpointStore store(CheckpointStore::RootFor(*plan.spec->checkpoint, plan.spec->id,
                                                   facts.task_dir));
    ALLOT_ASSIGN_OR_RETURN(PreparedCheckpoint prepared, store.Prepare(plan.attempt));
    SetVariable(&req.env, "ALLOT_CHECKPOINT_OUT", prepared.out_dir);
    if (!prepared.restore_dir.empty()) {
      SetVariable(&req.env, "ALLOT_CHECKPOINT_DIR", prepared.restore_dir);
    } else {
      SetVariable(&req.env, "ALLOT_CHECKPOINT_DIR", "");
    }
    for (const std::string& why : prepared.report.rejected) {
      if (log_) log_("task " + plan.spec->id + ": checkpoint " + why + "; using " +
                     (prepared.report.restored
                          ? "set " + std::to_string(*prepared.report.restored)
                          : std::string("none (it starts from the beginning)")));
    }
    checkpointing = Checkpointing{store.root(), plan.attempt, *plan.spec->checkpoint,
                                  std::move(prepared.report)};
  }
  // The launcher finds the attempt's processes that left its process group by this entry
  // (there is one: Build replaces same-named entries; it is near the end).
  constexpr std::string_view kTagKey = "ALLOT_EXECUTION_ID=";
  for (auto it = req.env.rbegin(); it != req.env.rend(); ++it) {
    if (it->compare(0, kTagKey.size(), kTagKey) == 0) {
      req.env_tag = *it;
      break;
    }
  }
  ALLOT_RETURN_IF_ERROR(launcher_->Launch(req));
  if (checkpointing) checkpointing_.emplace(plan.run_id, std::move(*checkpointing));
  return Status::Ok();
}

void LocalWorker::Finish(ProcessExit* exit, int64_t now_us) {
  auto it = checkpointing_.find(exit->run_id);
  if (it == checkpointing_.end()) return;
  Checkpointing c = std::move(it->second);
  checkpointing_.erase(it);
  CheckpointStore store(c.root);
  const AttemptUsage& u = exit->usage;
  if (u.term_signal == 0 && (u.exit_code == c.spec.exit_code || u.exit_code == 0)) {
    Status s = store.Seal(c.attempt, c.spec, now_us, &c.report);
    if (!s.ok()) c.report.incomplete = "sealing failed: " + s.message();
    if (c.report.sealed && after_seal_) after_seal_(store.root() + "/" + std::to_string(c.report.sealed->set), *c.report.sealed);
  } else if (store.Discard(c.attempt)) {
    // Killed, or failed, while it may have been writing: what it wrote is not a checkpoint.
    c.report.incomplete = u.term_signal != 0
                              ? "it was killed by signal " + std::to_string(u.term_signal) +
                                    " before it exited with its checkpoint exit code"
                              : "it exited with code " + std::to_string(u.exit_code) +
                                    ", not its checkpoint exit code";
  }
  exit->usage.checkpointed = c.report.sealed.has_value();
  exit->usage.checkpoint = CheckpointReportToJson(c.report);
}

}  // namespace allot
