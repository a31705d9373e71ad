// Scheduler: multi-node tasks (`nodes: N`, gang placement).
//
// Rule, per scheduling pass:
//  1. Its N target workers (PlanGangs): the N where its node share (cores, memory, GPUs,
//     custom resources) fits first, now or by the expected ends of what runs there (workers
//     it could never fit, and draining ones, are not candidates).
//  2. Each target worker's policy pass treats it like any other task with its node share as
//     the request, except that where it fits it is held (Choice::hold), not started: the
//     share stays out of the rest of that worker's pass; and where it does not fit it may be
//     that worker's blocked head, whose reservation keeps backfill from delaying it (EASY,
//     with its patience). On the other workers it is passed over: they backfill freely. So a
//     waiting multi-node task drains exactly the N workers that free first, as a wide
//     one-node task drains one.
//  3. After the pass, each multi-node task held by N workers starts on them, all at once (the
//     leader is the first in worker order); one held by fewer starts nowhere: no partial
//     start. What it held is free again for the next pass.
//  4. The attempt's nodes stay claimed until it ends; a signal to it goes to every node; a
//     node's worker lost makes the attempt lost (the other nodes get SIGKILL) and it runs
//     again, as any lost attempt.
// Tasks that fewer than N workers (not draining) could ever fit are passed over; one of them at
// the head of the queue says so. Multi-node tasks neither preempt nor are attached again after a
// server restart (a reported one is killed, and the attempt runs again).
#include <algorithm>
#include <csignal>

#include "common/units.h"
#include "core/policy/policy_resources.h"
#include "core/scheduler.h"

namespace allot {

int Scheduler::NodesThatFit(const ResourceRequest& r) const {
  int n = 0;
  for (const auto& [id, w] : workers_) {
    if (!w.draining && w.pool.CouldEverFit(r)) ++n;
  }
  return n;
}

void Scheduler::PlanGangs() {
  gang_targets_.clear();
  if (ready_gangs_.empty()) return;
  // What runs on each worker, and when it ends (none: not known), built once for every task.
  std::unordered_map<WorkerId, std::vector<RunningView>> running;
  const TimePoint now = clock_->Now();
  for (const auto& [t, r] : running_) {
    std::optional<TimePoint> end;
    if (std::optional<Duration> runtime = ExpectedRuntimeOf(t)) {
      Duration paused = r.paused_for;
      if (r.paused_since) paused += now - *r.paused_since;
      end = r.started + paused + *runtime;
    }
    auto add = [&](WorkerId w, const Allocation& a) {
      RunningView& v = running[w].emplace_back();
      v.held.cores = static_cast<int>(a.cpus.size());
      v.held.memory_bytes = a.memory_bytes;
      v.held.gpus = static_cast<int>(a.gpus.size());
      v.held.custom = a.custom;
      v.expected_end = end;
    };
    add(r.worker, r.allocation);
    for (const Member& m : r.members) add(m.worker, m.allocation);
  }
  for (auto& [w, views] : running) {
    std::sort(views.begin(), views.end(), [](const RunningView& a, const RunningView& b) {
      if (a.expected_end.has_value() != b.expected_end.has_value()) return a.expected_end.has_value();
      return a.expected_end.has_value() && *a.expected_end < *b.expected_end;
    });
  }
  size_t planned = 0;
  for (TaskIndex t : ready_gangs_) {
    if (planned++ == kGangPlanLimit) break;
    const ResourceRequest& r = tasks_.spec(t).resources;
    // (when its share fits there, worker); TimePoint::max(): not known.
    std::vector<std::pair<TimePoint, WorkerId>> fits;
    for (const auto& [id, w] : workers_) {
      if (w.draining || !w.pool.CouldEverFit(r)) continue;
      ResourceAmounts avail = w.pool.free();
      std::optional<TimePoint> at;
      if (ResourcePool::FitsIn(r, r.cores.min, avail)) at = now;
      if (auto views = running.find(id); !at && views != running.end()) {
        for (const RunningView& v : views->second) {
          if (!v.expected_end) break;
          policy::Give(v.held, &avail);
          if (ResourcePool::FitsIn(r, r.cores.min, avail)) {
            at = std::max(now, *v.expected_end);
            break;
          }
        }
      }
      fits.emplace_back(at.value_or(TimePoint::max()), id);
    }
    if (static_cast<int>(fits.size()) < r.nodes) continue;
    std::partial_sort(fits.begin(), fits.begin() + r.nodes, fits.end());
    std::vector<WorkerId>& targets = gang_targets_[t];
    for (int i = 0; i < r.nodes; ++i) targets.push_back(fits[i].second);
  }
}

std::vector<NodeShare> Scheduler::NodesOf(ExecutionId execution) const {
  auto it = running_.find(TaskOfExecution(execution));
  if (it == running_.end() || it->second.execution != execution || it->second.members.empty()) {
    return {};
  }
  const Running& r = it->second;
  std::vector<NodeShare> nodes;
  auto add = [&](WorkerId id, const Allocation& a) {
    auto w = workers_.find(id);
    nodes.push_back({id, w == workers_.end() ? std::string() : w->second.name, a.cpus});
  };
  add(r.worker, r.allocation);
  for (const Member& m : r.members) add(m.worker, m.allocation);
  return nodes;
}

void Scheduler::AddNodeUsage(ExecutionId execution, const AttemptUsage& usage) {
  auto it = running_.find(TaskOfExecution(execution));
  if (it == running_.end() || it->second.execution != execution || it->second.members.empty()) {
    return;
  }
  AttemptUsage& sum = node_usage_[it->first];
  sum.user_cpu += usage.user_cpu;
  sum.sys_cpu += usage.sys_cpu;
  sum.max_rss_bytes = std::max(sum.max_rss_bytes, usage.max_rss_bytes);
  sum.read_bytes += usage.read_bytes;
  sum.write_bytes += usage.write_bytes;
  sum.peak_cores += usage.peak_cores;
}

void Scheduler::NoteHold(TaskIndex t, WorkerId id) {
  // Under fair share a worker's turn asks the policy once per start: once is enough.
  std::vector<WorkerId>& held = gang_holds_[t];
  if (held.empty() || held.back() != id) held.push_back(id);
}

void Scheduler::StartGangs(int* slots) {
  if (gang_holds_.empty()) return;
  size_t seen = 0;
  for (auto it = ready_.begin(); it != ready_.end() && seen < gang_holds_.size();) {
    const TaskIndex t = ReadyQueue::TaskOf(*it);
    ++it;  // StartGang takes t out of the queue
    auto held = gang_holds_.find(t);
    if (held == gang_holds_.end()) continue;
    ++seen;
    const ResourceRequest& r = tasks_.spec(t).resources;
    const int cores = r.cores.min;
    std::vector<WorkerId> nodes;
    for (WorkerId id : held->second) {
      // An earlier multi-node task of this pass may have taken it since.
      const WorkerSlot& w = workers_.at(id);
      if (ResourcePool::FitsIn(r, cores, w.pool.free())) nodes.push_back(id);
      if (static_cast<int>(nodes.size()) == r.nodes) break;
    }
    if (static_cast<int>(nodes.size()) == r.nodes && *slots > 0) {
      StartGang(t, nodes);
      --*slots;
      continue;
    }
    if (!blocked_ || blocked_->task == t) {
      blocked_ = Blocked{t, static_cast<int>(nodes.size()) == r.nodes
                                ? "the limit on running tasks (--max-workers) is reached"
                                : "needs " + Counted(r.nodes, "node") +
                                      " with its share free at once, " +
                                      std::to_string(nodes.size()) + " have it"};
    }
  }
  gang_holds_.clear();
}

void Scheduler::StartGang(TaskIndex t, const std::vector<WorkerId>& nodes) {
  const ResourceRequest& request = tasks_.spec(t).resources;
  WorkerSlot& leader = workers_.at(nodes.front());
  Allocation a = leader.pool.Allocate(request, request.cores.min);
  std::vector<Member> members;
  for (size_t i = 1; i < nodes.size(); ++i) {
    WorkerSlot& w = workers_.at(nodes[i]);
    members.push_back({w.id, w.pool.Allocate(request, request.cores.min)});
    ++w.running;
  }
  StartOn(t, std::move(a), leader, std::move(members));
}

}  // namespace allot
