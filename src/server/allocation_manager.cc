#include "server/allocation_manager.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "common/units.h"


namespace allot {
namespace {

// The reason without its numbers: a change of kind, not of counts.
std::string Kind(const std::string& reason) {
  std::string k;
  for (char c : reason) {
    if (!std::isdigit(static_cast<unsigned char>(c))) k += c;
  }
  return k;
}

// How long after its start a job's workers are expected to connect.
constexpr int64_t kStartupGraceS = 180;

bool GoodName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
      return false;
    }
  }
  return true;
}

}  // namespace

AllocationManager::AllocationManager(const Clock* clock, CommandRunner run, std::string allot_binary,
                                     std::string server_dir)
    : clock_(clock),
      run_(std::move(run)),
      allot_binary_(std::move(allot_binary)),
      server_dir_(std::move(server_dir)) {}

Status AllocationManager::Check(AllocQueueConfig* config, const SlurmQueueOptions& slurm) {
  AllocQueueConfig& c = *config;
  auto bad = [&](const char* field, const std::string& why) {
    return Status::InvalidArgument(fmt::format("queue '{}': {}: {}", c.name, field, why));
  };
  if (!GoodName(c.name)) {
    return Status::InvalidArgument("queue name '" + c.name +
                                   "': 1-64 letters, digits, '_', '-' or '.'");
  }
  if (c.time_limit <= c.end_margin) {
    return bad("--time-limit", "must be longer than the end margin (" +
                                   std::to_string(c.end_margin.count() / 1000000) + " s)");
  }
  if (slurm.nodes < 1) return bad("--nodes", "must be at least 1");
  if (c.workers_per_alloc < 1) return bad("--workers-per-alloc", "must be at least 1");
  if (c.workers_per_alloc % slurm.nodes != 0) {
    return bad("--workers-per-alloc",
               fmt::format("{} workers cannot be spread evenly over {} nodes",
                           c.workers_per_alloc, slurm.nodes));
  }
  if (c.cores_per_worker < 0) return bad("--cores-per-worker", "must be at least 1");
  if (c.max_workers < 1) return bad("--max-workers", "must be at least 1");
  if (c.max_workers < c.workers_per_alloc) {
    return bad("--max-workers", fmt::format("{} is fewer than one allocation's {} workers",
                                            c.max_workers, c.workers_per_alloc));
  }
  if (c.min_workers < 0 || c.min_workers > c.max_workers) {
    return bad("--min-workers", "must be between 0 and --max-workers");
  }
  if (c.max_pending < 1) return bad("--max-pending", "must be at least 1");
  if (c.min_utilization < 0 || c.min_utilization > 1) {
    return bad("--min-utilization", "must be between 0 and 1");
  }
  if (c.idle_timeout < Duration::zero()) return bad("--idle-timeout", "must not be negative");
  if (c.cores_per_worker == 0) {
    // What a node of the partition offers, shared by the workers on it.
    CommandOutput out = run_(SinfoArgv(slurm.partition), "");
    Result<SinfoNode> node = out.exit_code == 0
                                 ? ParseSinfo(out.out)
                                 : Result<SinfoNode>(Status::FailedPrecondition(
                                       SbatchError(out.err, out.exit_code)));
    if (!node.ok()) {
      return Status::FailedPrecondition(
          fmt::format("queue '{}': cannot tell what a node of partition '{}' offers: {}",
                      c.name, slurm.partition.empty() ? "(default)" : slurm.partition,
                      node.status().message()));
    }
    const int per_node = c.workers_per_alloc / slurm.nodes;
    c.cores_per_worker = node->cpus / per_node;
    if (c.cores_per_worker < 1) {
      return bad("--workers-per-alloc", fmt::format("{} workers per node, but a node has {} CPUs",
                                                    per_node, node->cpus));
    }
    if (c.memory_per_worker == 0) c.memory_per_worker = node->memory_bytes / per_node;
    if (c.gpus_per_worker == 0) c.gpus_per_worker = node->gpus / per_node;
  }
  return Status::Ok();
}

Status AllocationManager::AddQueue(AllocQueueConfig c, SlurmQueueOptions slurm) {
  if (queues_.count(c.name) > 0) return Status::AlreadyExists("queue '" + c.name + "' exists");
  ALLOT_RETURN_IF_ERROR(Check(&c, slurm));
  Queue q;
  q.config = std::move(c);
  q.slurm = std::move(slurm);
  const std::string name = q.config.name;
  Record(q, "added",  "",
         fmt::format("{} worker(s) of {} core(s) per allocation of {} min, {}-{} workers",
                     q.config.workers_per_alloc, q.config.cores_per_worker,
                     (q.config.time_limit.count() / 1000000 + 59) / 60, q.config.min_workers,
                     q.config.max_workers));
  queues_.emplace(name, std::move(q));
  return Status::Ok();
}

Result<std::string> AllocationManager::DryRun(AllocQueueConfig c, SlurmQueueOptions slurm) {
  ALLOT_RETURN_IF_ERROR(Check(&c, slurm));
  SbatchRequest r = Request(c, slurm);
  r.test_only = true;
  CommandOutput out = run_(SbatchArgv(r), SbatchScript(r));
  // sbatch --test-only answers on stderr ("sbatch: Job 5 to start at ...").
  std::string said = out.err.empty() ? out.out : out.err;
  while (!said.empty() && (said.back() == '\n' || said.back() == ' ')) said.pop_back();
  if (out.exit_code != 0) {
    return Status::InvalidArgument(fmt::format("queue '{}': sbatch --test-only refused it: {}",
                                               c.name, SbatchError(out.err, out.exit_code)));
  }
  return said;
}

SbatchRequest AllocationManager::Request(const AllocQueueConfig& c,
                                         const SlurmQueueOptions& slurm) const {
  SbatchRequest r;
  r.queue = c.name;
  r.partition = slurm.partition;
  r.time_limit_s = c.time_limit.count() / 1000000;
  r.nodes = slurm.nodes;
  r.workers_per_node = c.workers_per_alloc / std::max(1, slurm.nodes);
  r.cpus_per_worker = c.cores_per_worker;
  r.end_margin_s = c.end_margin.count() / 1000000;
  r.extra = slurm.extra;
  r.allot_binary = allot_binary_;
  r.server_dir = server_dir_;
  return r;
}

AllocationManager::Queue* AllocationManager::Find(const std::string& name) {
  auto it = queues_.find(name);
  return it == queues_.end() ? nullptr : &it->second;
}

Status AllocationManager::Pause(const std::string& name) {
  Queue* q = Find(name);
  if (q == nullptr) return Status::NotFound("no queue '" + name + "'");
  q->paused = true;
  Record(*q, "paused", "", "paused by allot alloc pause");
  return Status::Ok();
}

Status AllocationManager::Remove(const std::string& name, bool force) {
  Queue* q = Find(name);
  if (q == nullptr) return Status::NotFound("no queue '" + name + "'");
  std::vector<std::string> ids;
  for (const Job& j : q->jobs) ids.push_back(j.id);
  if (!ids.empty() && !force) {
    return Status::FailedPrecondition(fmt::format(
        "queue '{}' has {} allocation(s) ({}): pause it and let them end, or remove it with "
        "--force to cancel them",
        name, ids.size(), fmt::join(ids, ", ")));
  }
  if (!ids.empty()) {
    std::vector<std::string> argv = {"scancel"};
    argv.insert(argv.end(), ids.begin(), ids.end());
    CommandOutput out = run_(argv, "");
    if (out.exit_code != 0) {
      return Status::Unavailable(fmt::format("queue '{}': scancel {} failed: {}", name,
                                             fmt::join(ids, " "),
                                             SbatchError(out.err, out.exit_code)));
    }
  }
  Record(*q, "removed", "",
         ids.empty() ? std::string("removed by allot alloc remove")
                     : fmt::format("removed by allot alloc remove --force; cancelled {}",
                                   fmt::join(ids, ", ")));
  queues_.erase(name);
  return Status::Ok();
}

Status AllocationManager::Resume(const std::string& name) {
  Queue* q = Find(name);
  if (q == nullptr) return Status::NotFound("no queue '" + name + "'");
  q->paused = false;
  q->failures = {};  // resuming is trying again
  Record(*q, "resumed", "", "resumed by allot alloc resume");
  return Status::Ok();
}

void AllocationManager::Record(const Queue& q, std::string kind, std::string job_id,
                               std::string reason) {
  events_.push_back(
      {clock_->WallMicros(), q.config.name, std::move(kind), std::move(job_id), std::move(reason)});
}

std::vector<AllocEvent> AllocationManager::TakeEvents() { return std::exchange(events_, {}); }

void AllocationManager::Refresh(Queue& q) {
  if (q.jobs.empty()) return;
  std::vector<std::string> ids;
  for (const Job& j : q.jobs) ids.push_back(j.id);
  CommandOutput out = run_(SqueueArgv(ids), "");
  if (out.exit_code != 0) return;  // keep what is known; the next tick asks again
  Result<std::vector<SqueueRow>> rows = ParseSqueue(out.out);
  if (!rows.ok()) return;
  std::map<std::string, const SqueueRow*> by_id;
  for (const SqueueRow& r : *rows) by_id[r.job_id] = &r;
  std::vector<Job> kept;
  for (Job& j : q.jobs) {
    auto it = by_id.find(j.id);
    if (it == by_id.end()) {
      Record(q, "ended", j.id, j.release_sent ? "released" : "no longer in Slurm's queue");
      continue;
    }
    const SqueueRow& r = *it->second;
    if (r.state == "RUNNING" && j.state != "RUNNING") {
      Record(q, "started", j.id, "running on " + r.reason);
    }
    j.state = r.state;
    j.start_epoch = r.start_epoch;
    j.end_epoch = r.end_epoch;
    kept.push_back(std::move(j));
  }
  q.jobs = std::move(kept);
}

void AllocationManager::Tick(std::span<const WaitingTask> waiting,
                             const std::map<std::string, JobWorkers>& workers_by_job) {
  const TimePoint now = clock_->Now();
  const int64_t wall_s = clock_->WallMicros() / 1000000;
  for (auto& [name, q] : queues_) {
    Refresh(q);
    for (Job& j : q.jobs) {
      auto w = workers_by_job.find(j.id);
      if (w != workers_by_job.end()) j.most_connected = std::max(j.most_connected, w->second.connected);
    }
    std::vector<AllocSnapshot> snapshots;
    for (const Job& j : q.jobs) {
      if (j.release_sent) continue;
      AllocSnapshot& s = snapshots.emplace_back();
      s.job_id = j.id;
      s.replaced = j.replaced;
      auto w = workers_by_job.find(j.id);
      const int connected = w == workers_by_job.end() ? 0 : w->second.connected;
      // A job that has just started, whose workers have not all connected yet, is planned as
      // still pending: its workers are on their way (else more would be submitted for the
      // same work). Once they came, a worker that left is not counted.
      const bool starting = j.state == "RUNNING" &&
                            j.most_connected < q.config.workers_per_alloc && j.start_epoch &&
                            wall_s - *j.start_epoch < kStartupGraceS;
      s.running = j.state == "RUNNING" && !starting;
      if (s.running) {
        s.workers = connected;
        if (w != workers_by_job.end()) s.idle_since = w->second.idle_since;
        if (j.end_epoch) s.ends_at = now + std::chrono::seconds(*j.end_epoch - wall_s);
      } else {
        s.workers = q.config.workers_per_alloc;
      }
    }
    AllocPlan plan = PlanAllocations(now, q.config, snapshots, waiting, q.failures, q.paused);
    if (plan.paused && !q.paused) {
      q.paused = true;
      Record(q, "paused", "", plan.reason);
    }
    Act(q, plan);
  }
}

void AllocationManager::Act(Queue& q, const AllocPlan& plan) {
  for (const std::string& id : plan.release) {
    if (release_guard_ && !release_guard_(id)) {
      Record(q, "kept", id, "about to be released, one of its workers got work");
      continue;
    }
    CommandOutput out = run_({"scancel", id}, "");
    for (Job& j : q.jobs) {
      if (j.id == id && out.exit_code == 0) j.release_sent = true;
    }
    Record(q, out.exit_code == 0 ? "released" : "release-failed", id,
           out.exit_code == 0
               ? fmt::format("its workers were idle for {} or more and no task waits for them",
                             FormatDuration(q.config.idle_timeout))
               : SbatchError(out.err, out.exit_code));
  }
  for (const std::string& id : plan.replacing) {
    for (Job& j : q.jobs) {
      if (j.id == id) j.replaced = true;
    }
  }
  const SbatchRequest r = Request(q.config, q.slurm);
  for (int i = 0; i < plan.submit; ++i) {
    CommandOutput out = run_(SbatchArgv(r), SbatchScript(r));
    Result<std::string> id = out.exit_code == 0 ? ParseSbatchParsable(out.out)
                                                : Result<std::string>(Status::Internal(
                                                      SbatchError(out.err, out.exit_code)));
    if (!id.ok()) {
      ++q.failures.consecutive;
      q.failures.last = clock_->Now();
      q.failures.last_error = id.status().message();
      Record(q, "submit-failed", "", id.status().message());
      break;
    }
    q.failures = {};
    q.jobs.push_back(Job{*id});
    Record(q, "submitted", *id, plan.reason);
  }
  if (plan.submit == 0 && Kind(plan.reason) != Kind(q.last_reason)) {
    Record(q, "not-submitting", "", plan.reason);
  }
  q.last_reason = plan.reason;
}

std::vector<AllocationManager::QueueView> AllocationManager::List() const {
  std::vector<QueueView> out;
  for (const auto& [name, q] : queues_) {
    QueueView& v = out.emplace_back();
    v.config = q.config;
    v.slurm = q.slurm;
    v.paused = q.paused;
    v.failures = q.failures.consecutive;
    v.last_error = q.failures.last_error;
    v.last_reason = q.last_reason;
    for (const Job& j : q.jobs) v.jobs.push_back({j.id, j.state, j.end_epoch});
  }
  return out;
}

}  // namespace allot

namespace allot {

using Json = nlohmann::json;

std::string AllocationManager::State() const {
  Json queues = Json::array();
  for (const auto& [name, q] : queues_) {
    const AllocQueueConfig& c = q.config;
    Json jobs = Json::array();
    for (const Job& j : q.jobs) {
      jobs.push_back({{"id", j.id}, {"state", j.state}, {"replaced", j.replaced},
                      {"release_sent", j.release_sent}});
    }
    queues.push_back({{"name", c.name},
                      {"time_limit_us", c.time_limit.count()},
                      {"workers_per_alloc", c.workers_per_alloc},
                      {"cores_per_worker", c.cores_per_worker},
                      {"memory_per_worker", c.memory_per_worker},
                      {"gpus_per_worker", c.gpus_per_worker},
                      {"min_workers", c.min_workers},
                      {"max_workers", c.max_workers},
                      {"max_pending", c.max_pending},
                      {"idle_timeout_us", c.idle_timeout.count()},
                      {"min_utilization", c.min_utilization},
                      {"replace_before_us", c.replace_before.count()},
                      {"end_margin_us", c.end_margin.count()},
                      {"backoff_us", c.backoff.count()},
                      {"pause_after_failures", c.pause_after_failures},
                      {"partition", q.slurm.partition},
                      {"nodes", q.slurm.nodes},
                      {"extra", q.slurm.extra},
                      {"paused", q.paused},
                      {"failures", q.failures.consecutive},
                      {"last_error", q.failures.last_error},
                      {"jobs", std::move(jobs)}});
  }
  return Json{{"version", 1}, {"queues", std::move(queues)}}.dump();
}

Status AllocationManager::Restore(const std::string& state) {
  try {
    const Json j = Json::parse(state);
    std::map<std::string, Queue> queues;
    for (const Json& x : j.at("queues")) {
      Queue q;
      AllocQueueConfig& c = q.config;
      c.name = x.at("name").get<std::string>();
      c.time_limit = Duration(x.at("time_limit_us").get<int64_t>());
      c.workers_per_alloc = x.at("workers_per_alloc").get<int>();
      c.cores_per_worker = x.at("cores_per_worker").get<int>();
      c.memory_per_worker = x.at("memory_per_worker").get<int64_t>();
      c.gpus_per_worker = x.at("gpus_per_worker").get<int>();
      c.min_workers = x.at("min_workers").get<int>();
      c.max_workers = x.at("max_workers").get<int>();
      c.max_pending = x.at("max_pending").get<int>();
      c.idle_timeout = Duration(x.at("idle_timeout_us").get<int64_t>());
      c.min_utilization = x.at("min_utilization").get<double>();
      c.replace_before = Duration(x.at("replace_before_us").get<int64_t>());
      c.end_margin = Duration(x.at("end_margin_us").get<int64_t>());
      c.backoff = Duration(x.at("backoff_us").get<int64_t>());
      c.pause_after_failures = x.at("pause_after_failures").get<int>();
      q.slurm.partition = x.at("partition").get<std::string>();
      q.slurm.nodes = x.at("nodes").get<int>();
      q.slurm.extra = x.at("extra").get<std::vector<std::string>>();
      q.paused = x.at("paused").get<bool>();
      q.failures.consecutive = x.at("failures").get<int>();
      q.failures.last_error = x.at("last_error").get<std::string>();
      for (const Json& y : x.at("jobs")) {
        Job job{y.at("id").get<std::string>()};
        job.state = y.at("state").get<std::string>();
        job.replaced = y.at("replaced").get<bool>();
        job.release_sent = y.at("release_sent").get<bool>();
        q.jobs.push_back(std::move(job));
      }
      const std::string name = c.name;
      queues.emplace(name, std::move(q));
    }
    queues_ = std::move(queues);
  } catch (const Json::exception& e) {
    return Status::InvalidArgument(std::string("allocation state: ") + e.what());
  }
  return Status::Ok();
}

}  // namespace allot
