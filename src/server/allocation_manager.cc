#include "server/allocation_manager.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "exec/slurm_allocation_commands.h"

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

AllocationManager::AllocationManager(Clock* clock, CommandRunner run, std::string allot_binary,
                                     std::string server_dir)
    : clock_(clock),
      run_(std::move(run)),
      allot_binary_(std::move(allot_binary)),
      server_dir_(std::move(server_dir)) {}

Status AllocationManager::AddQueue(AllocQueueConfig c, SlurmQueueOptions slurm) {
  auto bad = [&](const char* field, const std::string& why) {
    return Status::InvalidArgument(fmt::format("queue '{}': {}: {}", c.name, field, why));
  };
  if (!GoodName(c.name)) {
    return Status::InvalidArgument("queue name '" + c.name +
                                   "': 1-64 letters, digits, '_', '-' or '.'");
  }
  if (queues_.count(c.name) > 0) return Status::AlreadyExists("queue '" + c.name + "' exists");
  if (c.time_limit <= c.end_margin) {
    return bad("--time-limit", "must be longer than the end margin (" +
                                   std::to_string(c.end_margin.count() / 1000000) + " s)");
  }
  if (c.workers_per_alloc < 1) return bad("--workers-per-alloc", "must be at least 1");
  if (c.cores_per_worker < 1) return bad("--cores-per-worker", "must be at least 1");
  if (c.max_workers < 1) return bad("--max-workers", "must be at least 1");
  if (c.min_workers < 0 || c.min_workers > c.max_workers) {
    return bad("--min-workers", "must be between 0 and --max-workers");
  }
  if (c.max_pending < 1) return bad("--max-pending", "must be at least 1");
  if (c.min_utilization < 0 || c.min_utilization > 1) {
    return bad("--min-utilization", "must be between 0 and 1");
  }
  Queue q;
  q.config = std::move(c);
  q.slurm = std::move(slurm);
  const std::string name = q.config.name;
  queues_.emplace(name, std::move(q));
  return Status::Ok();
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
    std::vector<AllocSnapshot> snapshots;
    for (const Job& j : q.jobs) {
      if (j.release_sent) continue;
      AllocSnapshot& s = snapshots.emplace_back();
      s.job_id = j.id;
      s.running = j.state == "RUNNING";
      s.replaced = j.replaced;
      auto w = workers_by_job.find(j.id);
      if (s.running) {
        s.workers = w == workers_by_job.end() ? 0 : w->second.connected;
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
    CommandOutput out = run_({"scancel", id}, "");
    for (Job& j : q.jobs) {
      if (j.id == id && out.exit_code == 0) j.release_sent = true;
    }
    Record(q, out.exit_code == 0 ? "released" : "release-failed", id,
           out.exit_code == 0 ? fmt::format("idle for {} s or more; {}",
                                            q.config.idle_timeout.count() / 1000000, plan.reason)
                              : SbatchError(out.err, out.exit_code));
  }
  for (const std::string& id : plan.replacing) {
    for (Job& j : q.jobs) {
      if (j.id == id) j.replaced = true;
    }
  }
  SbatchRequest r;
  r.queue = q.config.name;
  r.partition = q.slurm.partition;
  r.time_limit_s = q.config.time_limit.count() / 1000000;
  r.workers_per_node = q.config.workers_per_alloc;
  r.end_margin_s = q.config.end_margin.count() / 1000000;
  r.extra = q.slurm.extra;
  r.allot_binary = allot_binary_;
  r.server_dir = server_dir_;
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
    v.name = name;
    v.paused = q.paused;
    v.failures = q.failures.consecutive;
    v.last_reason = q.last_reason;
    for (const Job& j : q.jobs) v.jobs.push_back({j.id, j.state, j.end_epoch});
  }
  return out;
}

}  // namespace allot
