#include "worker/local_worker.h"

#include "model/task_id.h"

#include <algorithm>
#include <optional>
#include <cstdio>
#include <filesystem>
#include <string_view>
#include <tuple>
#include <system_error>
#include <string_view>

#include "exec/stderr_tail.h"
#include "model/shell_quote.h"
#include "model/string_template.h"
#include "model/task_result.h"
#include "protocol/private_directory.h"
#include "worker/checkpoint_store.h"
#include "worker/job_launch.h"
#include "worker/output_check.h"
#include "model/output_manifest.h"

namespace allot {
namespace {

const std::vector<int> kNoGpus;

// The paths, one per line ($ALLOT_INPUTS, $ALLOT_OUTPUTS).
std::string OneLineEach(const std::vector<std::string>& paths) {
  std::string lines;
  for (const std::string& p : paths) lines += (lines.empty() ? "" : "\n") + p;
  return lines;
}

// `command` with each "{dep.outputs}" replaced by `inputs`, shell-quoted, space-separated.
std::string WithInputs(const std::string& command, const std::vector<std::string>* inputs) {
  const std::string placeholder = "{" + std::string(kDepOutputsPlaceholder) + "}";
  size_t at = command.find(placeholder);
  if (at == std::string::npos) return command;
  std::string words;
  if (inputs != nullptr) {
    for (const std::string& f : *inputs) words += (words.empty() ? "" : " ") + QuoteShellWord(f);
  }
  std::string out = command;
  for (; at != std::string::npos; at = out.find(placeholder, at + words.size())) {
    out.replace(at, placeholder.size(), words);
  }
  return out;
}

// The directory of this executable, and the executable (for $ALLOT_BIN); empty when unknown.
std::pair<std::string, std::string> SelfExecutable() {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  return {self.parent_path().string(), self.string()};
}

// `env` with `dir` at the end of its PATH when PATH lacks it: `allot metric` works in a task
// even when allot was started by its path, and shadows nothing.
void AppendToPath(std::vector<std::string>* env, const std::string& dir) {
  if (dir.empty()) return;
  for (std::string& e : *env) {
    if (e.compare(0, 5, "PATH=") != 0) continue;
    std::string_view parts(e);
    parts.remove_prefix(5);
    while (!parts.empty()) {
      size_t colon = parts.find(':');
      if (parts.substr(0, colon) == dir) return;
      if (colon == std::string_view::npos) break;
      parts.remove_prefix(colon + 1);
    }
    e += (e.size() > 5 ? ":" : "") + dir;
    return;
  }
}

}  // namespace

LocalWorker::LocalWorker(ProcessLauncher* launcher, std::string output_dir,
                         AttemptEnvironment environment)
    : launcher_(launcher), output_dir_(std::move(output_dir)), environment_(std::move(environment)) {
  std::tie(self_dir_, self_exe_) = SelfExecutable();
}

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
  // A command task's command, or a container's: its placeholders filled.
  const JobKind kind = plan.spec->kind();
  std::string command = WithInputs(
      kind == JobKind::kContainer ? plan.spec->job->container.command : plan.spec->command,
      plan.inputs);
  const std::string dep_results = plan.dep_results != nullptr ? *plan.dep_results : "";
  ALLOT_ASSIGN_OR_RETURN(command, FillDepResults(command, dep_results));
  if (kind == JobKind::kCommand) req.command = command;
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
  req.batch.task_id = plan.spec->id;
  req.batch.attempt = plan.attempt;
  req.batch.cores = static_cast<int>(plan.cpus->size());
  req.batch.memory_bytes = plan.memory_limit_bytes;
  req.batch.gpus = plan.gpus != nullptr ? static_cast<int>(plan.gpus->size()) : 0;
  if (plan.spec->time_limit) req.batch.time_limit = *plan.spec->time_limit + plan.spec->grace_period;
  for (const char* key : kBatchJobTags) {
    if (auto it = plan.spec->tags.find(key); it != plan.spec->tags.end()) {
      req.batch.tags.emplace(key, it->second);
    }
  }
  AttemptFacts facts;
  facts.spec = plan.spec;
  facts.attempt = plan.attempt;
  facts.execution_id = ExecutionRef(plan.spec->id, plan.attempt);
  facts.cpus = &req.cpus;
  facts.threads = static_cast<int>(plan.cpus->size());
  facts.gpus = plan.gpus;
  facts.task_dir = std::move(dir);
  req.env = environment_.Build(facts);
  const std::string result_file = facts.task_dir + "/result.json";
  std::remove(result_file.c_str());  // an earlier attempt's is not this one's
  SetVariable(&req.env, "ALLOT_RESULT_FILE", result_file);
  if (!dep_results.empty()) {
    const std::string path = facts.task_dir + "/dep_results.json";
    std::FILE* f = std::fopen(path.c_str(), "w");
    bool written = f != nullptr &&
                   std::fwrite(dep_results.data(), 1, dep_results.size(), f) == dep_results.size();
    if (f != nullptr && std::fclose(f) != 0) written = false;
    if (!written) return Status::IoError(path + ": cannot write its dependencies' results");
    SetVariable(&req.env, "ALLOT_DEP_RESULTS", path);
  }
  if (plan.inputs != nullptr && !plan.inputs->empty()) {
    SetVariable(&req.env, "ALLOT_INPUTS", OneLineEach(*plan.inputs));
  }
  if (plan.nodes != nullptr && !plan.nodes->empty()) {
    NodeEnvironmentFacts nodes;
    nodes.nodes = plan.nodes;
    nodes.task_dir = facts.task_dir;
    nodes.allot_bin = self_exe_;
    nodes.server_dir = plan.server_dir;
    nodes.execution_id = facts.execution_id;
    ALLOT_RETURN_IF_ERROR(AddNodeEnvironment(nodes, &req.env));
  }
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
  // Before the job's launch is prepared: a container gets these variables too (the task
  // directory is mounted at its own path there).
  const std::string metrics_file = facts.task_dir + "/metrics.jsonl";
  SetVariable(&req.env, "ALLOT_METRICS_FILE", metrics_file);
  if (!self_exe_.empty()) SetVariable(&req.env, "ALLOT_BIN", self_exe_);
  AppendToPath(&req.env, self_dir_);
  if (plan.spec->job) {
    std::vector<std::string> same_path;
    if (checkpointing) same_path.push_back(checkpointing->root);
    ALLOT_RETURN_IF_ERROR(PrepareJobLaunch(*plan.spec, facts.task_dir, dep_results, command,
                                           same_path, &req));
  }
  std::optional<Producing> producing;
  if (plan.spec->outputs) producing = Producing{*plan.spec->outputs, req, facts.task_dir};
  ALLOT_RETURN_IF_ERROR(metrics_.Watch(plan.run_id, metrics_file));
  if (Status s = launcher_->Launch(req); !s.ok()) {
    std::vector<RunMetric> none;
    metrics_.Unwatch(plan.run_id, 0, &none);
    return s;
  }
  if (checkpointing) checkpointing_.emplace(plan.run_id, std::move(*checkpointing));
  if (producing) producing_.emplace(plan.run_id, std::move(*producing));
  result_files_[plan.run_id] = result_file;
  if (kind == JobKind::kPython || kind == JobKind::kContainer) {
    named_by_stderr_[plan.run_id] = {req.stderr_path, kind == JobKind::kPython};
  }
  return Status::Ok();
}

Status LocalWorker::StartNodeRun(const NodeRunPlan& plan) {
  LaunchRequest req;
  req.run_id = plan.run_id;
  const std::string dir = TaskDir(plan.task_id);
  ALLOT_RETURN_IF_ERROR(MakePrivateDirectory(dir));
  const std::string base = dir + "/node-" + plan.node + "-" + std::to_string(plan.run);
  req.stdout_path = base + ".stdout";
  req.stderr_path = base + ".stderr";
  req.command = plan.command;
  std::error_code ec;
  req.cwd = !plan.cwd.empty() && std::filesystem::is_directory(plan.cwd, ec) ? plan.cwd : dir;
  req.cpus = *plan.cpus;
  TaskSpec spec;
  spec.id = plan.task_id;
  AttemptFacts facts;
  facts.spec = &spec;
  facts.attempt = plan.attempt;
  facts.execution_id = ExecutionRef(plan.task_id, plan.attempt);
  facts.cpus = &req.cpus;
  facts.gpus = &kNoGpus;
  facts.task_dir = dir;
  req.env = environment_.Build(facts);
  SetVariable(&req.env, "ALLOT_NODE", plan.node);
  if (!self_exe_.empty()) SetVariable(&req.env, "ALLOT_BIN", self_exe_);
  AppendToPath(&req.env, self_dir_);
  // Its own tag: the attempt's (ALLOT_EXECUTION_ID) may run on another worker of this host.
  req.env_tag = "ALLOT_NODE_RUN=" + plan.node + ":" + std::to_string(plan.run) + ":" +
                facts.execution_id;
  req.env.push_back(req.env_tag);
  return launcher_->Launch(req);
}

bool LocalWorker::Finish(ProcessExit* exit, int64_t now_us) {
  if ((exit->run_id & kValidationRun) != 0) {
    // A validation ended: the attempt ends with its exit, passed or not.
    const RunId run_id = exit->run_id & ~kValidationRun;
    auto held = validating_.find(run_id);
    auto p = producing_.find(run_id);
    if (held == validating_.end() || p == producing_.end()) return false;  // not ours
    const AttemptUsage v = exit->usage;
    *exit = std::move(held->second);
    validating_.erase(held);
    if (v.term_signal != 0 || v.exit_code != 0) {
      std::string what = v.term_signal != 0 ? "killed by signal " + std::to_string(v.term_signal)
                                            : "exit code " + std::to_string(v.exit_code);
      const std::string tail = ReadStderrTail(p->second.task_dir + "/validate.stderr");
      if (!tail.empty()) what += ": " + tail;
      exit->usage.output_error = "its validation failed (" + what + ")";
      producing_.erase(p);
      return true;
    }
    const bool now = DescribeProduced(p->second, exit);
    producing_.erase(p);
    return now;
  }
  metrics_.Unwatch(exit->run_id, now_us, &exited_metrics_);
  if (auto it = named_by_stderr_.find(exit->run_id); it != named_by_stderr_.end()) {
    // A python task's failure is named by the last line of its stderr: the exception, or the
    // runner's "allot: no module named 'sim' ..." (worker/python_runner.h). So is a container
    // engine's own failure (podman and docker exit 125: "Cannot connect to the Docker daemon").
    AttemptUsage& u = exit->usage;
    if (u.term_signal == 0 && u.exit_code != 0 && (it->second.any_exit || u.exit_code == 125)) {
      // A traceback's last line is the exception; an engine may end with advice ("Run
      // 'docker run --help' ...") after the cause.
      u.stderr_tail = ReadStderrTail(it->second.path, it->second.any_exit ? 1 : 3);
    }
    named_by_stderr_.erase(it);
  }
  ReadResult(exit);
  if (!FinishCheckpoint(exit, now_us)) return false;  // sealing on the background thread
  return CheckProduced(exit);
}

void LocalWorker::CollectMetrics(int64_t now_us, std::vector<RunMetric>* out) {
  metrics_.Read(now_us, out);
  if (!exited_metrics_.empty()) {
    out->insert(out->end(), std::make_move_iterator(exited_metrics_.begin()),
                std::make_move_iterator(exited_metrics_.end()));
    exited_metrics_.clear();
  }
}

void LocalWorker::CollectReady(std::vector<ProcessExit>* out) {
  std::vector<BackgroundJobs::Done> done;
  jobs_.Collect(&done);
  for (BackgroundJobs::Done& d : done) {
    if (d.kind == BackgroundJobs::Kind::kSealCheckpoint) {
      if (after_seal_ && d.exit.usage.checkpointed) {
        Result<CheckpointReport> r = CheckpointReportFromJson(d.exit.usage.checkpoint);
        if (r.ok() && r->sealed) after_seal_(r->dir + "/" + std::to_string(r->sealed->set), *r->sealed);
      }
      if (!CheckProduced(&d.exit)) continue;  // held again: validation or hashing
    }
    out->push_back(std::move(d.exit));
  }
}

bool LocalWorker::CheckProduced(ProcessExit* exit) {
  auto p = producing_.find(exit->run_id);
  if (p == producing_.end()) return true;
  const RunId run_id = exit->run_id;
  const AttemptUsage& u = exit->usage;
  const bool ends_now = u.term_signal != 0 || u.exit_code != 0 || CheckOutputs(p->second, exit);
  // Held (moved) exits come back when their validation ends (Finish) or their outputs are
  // hashed (CollectReady); only a validation still needs what the attempt was.
  if (!Validating(run_id)) producing_.erase(p);
  return ends_now;
}

void LocalWorker::ReadResult(ProcessExit* exit) {
  auto it = result_files_.find(exit->run_id);
  if (it == result_files_.end()) return;
  const std::string path = std::move(it->second);
  result_files_.erase(it);
  const AttemptUsage& u = exit->usage;
  if (u.term_signal != 0 || u.exit_code != 0) return;
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return;  // it left none
  if (static_cast<int64_t>(size) > 4 * kMaxResultBytes) {
    exit->usage.output_error = "its result file is " + std::to_string(size) +
                               " bytes, over the cap of " + std::to_string(kMaxResultBytes) +
                               " (write large data to files and declare them as outputs)";
    return;
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return;
  std::string text(size, '\0');
  text.resize(std::fread(text.data(), 1, size, f));
  std::fclose(f);
  Result<std::string> result = ParseTaskResult(text);
  if (result.ok()) {
    exit->usage.result = std::move(*result);
  } else {
    exit->usage.output_error = result.status().message();
  }
}

bool LocalWorker::CheckOutputs(Producing& p, ProcessExit* exit) {
  Result<std::vector<std::string>> files = MatchOutputs(p.spec.paths, p.request.cwd);
  if (!files.ok()) {
    exit->usage.output_error = files.status().message();
    return true;
  }
  if (p.spec.validate.empty()) return DescribeProduced(p, exit);
  LaunchRequest v = p.request;
  v.run_id = exit->run_id | kValidationRun;
  v.command = p.spec.validate;
  v.stdout_path = p.task_dir + "/validate.stdout";
  v.stderr_path = p.task_dir + "/validate.stderr";
  SetVariable(&v.env, "ALLOT_OUTPUTS", OneLineEach(*files));
  if (Status s = launcher_->Launch(v); !s.ok()) {
    exit->usage.output_error = "its validation could not start: " + s.message();
    return true;
  }
  validating_.emplace(exit->run_id, std::move(*exit));
  return false;
}

bool LocalWorker::DescribeProduced(const Producing& p, ProcessExit* exit) {
  Result<std::vector<std::string>> files = MatchOutputs(p.spec.paths, p.request.cwd);
  if (!files.ok()) {
    exit->usage.output_error = files.status().message() + " after its validation";
    return true;
  }
  jobs_.Submit(std::move(*exit), BackgroundJobs::Kind::kHashOutputs,
               [files = std::move(*files)](ProcessExit* e) {
                 Result<std::vector<OutputFile>> described = DescribeOutputs(files);
                 if (described.ok()) {
                   e->usage.outputs = OutputManifestToJson(*described);
                 } else {
                   e->usage.output_error =
                       "its outputs cannot be read: " + described.status().message();
                 }
               });
  return false;
}

bool LocalWorker::FinishCheckpoint(ProcessExit* exit, int64_t now_us) {
  auto it = checkpointing_.find(exit->run_id);
  if (it == checkpointing_.end()) return true;
  Checkpointing c = std::move(it->second);
  checkpointing_.erase(it);
  CheckpointStore store(c.root);
  const AttemptUsage& u = exit->usage;
  if (u.term_signal == 0 && (u.exit_code == c.spec.exit_code || u.exit_code == 0)) {
    // Sealing hashes and fsyncs every file: on the background thread. Nothing else touches the
    // task's checkpoint directory until its exit is reported.
    jobs_.Submit(std::move(*exit), BackgroundJobs::Kind::kSealCheckpoint,
                 [c = std::move(c), now_us](ProcessExit* e) mutable {
                   CheckpointStore sealer(c.root);
                   Status s = sealer.Seal(c.attempt, c.spec, now_us, &c.report);
                   if (!s.ok()) c.report.incomplete = "sealing failed: " + s.message();
                   e->usage.checkpointed = c.report.sealed.has_value();
                   e->usage.checkpoint = CheckpointReportToJson(c.report);
                 });
    return false;
  }
  if (store.Discard(c.attempt)) {
    // Killed, or failed, while it may have been writing: what it wrote is not a checkpoint.
    c.report.incomplete = u.term_signal != 0
                              ? "it was killed by signal " + std::to_string(u.term_signal) +
                                    " before it exited with its checkpoint exit code"
                              : "it exited with code " + std::to_string(u.exit_code) +
                                    ", not its checkpoint exit code";
  }
  exit->usage.checkpointed = c.report.sealed.has_value();
  exit->usage.checkpoint = CheckpointReportToJson(c.report);
  return true;
}

}  // namespace allot
