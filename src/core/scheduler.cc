#include "core/scheduler.h"

#include <algorithm>
#include <cassert>
#include <csignal>
#include <deque>
#include <limits>

#include "common/units.h"
#include "core/policy/priority_backfill_policy.h"
#include "core/profile/oom_retry.h"

namespace allot {
namespace {

ResourceAmounts Held(const Allocation& a) {
  ResourceAmounts h;
  h.cores = static_cast<int>(a.cpus.size());
  h.memory_bytes = a.memory_bytes;
  h.gpus = static_cast<int>(a.gpus.size());
  h.custom = a.custom;
  return h;
}

// The part of `r` that `capacity` can never hold, for the refusal message.
std::string NeverFits(const ResourceRequest& r, const ResourceAmounts& capacity) {
  if (r.cores.min > capacity.cores) {
    return std::to_string(r.cores.min) + " cores; the machine has " +
           std::to_string(capacity.cores);
  }
  if (r.memory_bytes > capacity.memory_bytes) {
    return FormatSize(r.memory_bytes) + " of memory; the machine has " +
           FormatSize(capacity.memory_bytes);
  }
  if (r.gpus > capacity.gpus) {
    return std::to_string(r.gpus) + " GPUs; the machine has " + std::to_string(capacity.gpus);
  }
  for (const auto& [name, amount] : r.custom) {
    auto it = capacity.custom.find(name);
    const int64_t have = it == capacity.custom.end() ? 0 : it->second;
    if (amount > have) {
      return std::to_string(amount) + " " + name + "; the machine has " + std::to_string(have);
    }
  }
  return "?";
}

std::string DescribeExit(const AttemptUsage& u) {
  if (u.timed_out) return "exceeded its time limit";
  if (u.term_signal != 0) return "killed by signal " + std::to_string(u.term_signal);
  return "exit code " + std::to_string(u.exit_code);
}

}  // namespace

Scheduler::Scheduler(const Clock* clock, Machine machine, SchedulerOptions options,
                     std::unique_ptr<SchedulingPolicy> policy)
    : Scheduler(clock, options, std::move(policy)) {
  fixed_machine_ = true;
  workers_.emplace(0, WorkerSlot{0, "", ResourcePool(std::move(machine))});
}

Scheduler::Scheduler(const Clock* clock, SchedulerOptions options,
                     std::unique_ptr<SchedulingPolicy> policy)
    : clock_(clock),
      options_(options),
      policy_(policy ? std::move(policy)
                     : std::make_unique<PriorityBackfillPolicy>(options.backfill_depth)) {}

Scheduler::~Scheduler() = default;

std::optional<TaskIndex> Scheduler::Find(const std::string& id) const {
  auto it = index_by_id_.find(id);
  if (it == index_by_id_.end()) return std::nullopt;
  return it->second;
}

bool Scheduler::Done() const {
  if (stopping_) return running_.empty();
  return terminal_ == static_cast<int64_t>(specs_.size());
}

void Scheduler::Transition(TaskIndex t, TaskState to, std::string reason,
                           const AttemptUsage* usage, const Allocation* allocation) {
  TaskRecord& rec = tasks_[t];
  assert(CanTransition(rec.state, to));
  TaskEvent& e = outbox_.events.emplace_back();
  e.task = t;
  e.attempt = rec.attempts;
  e.from = rec.state;
  e.to = to;
  e.wall_time_us = clock_->WallMicros();
  if (usage != nullptr) e.usage = *usage;
  if (allocation != nullptr) {
    e.cores = allocation->cpus;
    e.gpus = allocation->gpus;
    e.memory_bytes = allocation->memory_bytes;
  }
  e.reason = std::move(reason);

  if (rec.state == TaskState::kReady) ready_.Erase(t, specs_[t].priority);
  --counts_[static_cast<int>(rec.state)];
  ++counts_[static_cast<int>(to)];
  rec.state = to;
  if (to == TaskState::kReady) {
    ApplyLearned(t);
    ready_.Push(t, specs_[t].priority);
    dirty_ = true;
  }
  if (IsTerminal(to)) {
    ++terminal_;
    ReleaseDetails(t);
  }
}

void Scheduler::ReleaseDetails(TaskIndex t) {
  // The journal keeps the whole spec; a finished task needs only its id, resources and
  // priority here, so its strings go (they are most of a task's memory in real campaigns).
  TaskSpec& s = specs_[t];
  std::string().swap(s.command);
  std::string().swap(s.workdir);
  std::vector<std::pair<std::string, std::string>>().swap(s.env);
  std::map<std::string, std::string>().swap(s.tags);
  std::vector<std::string>().swap(s.depends_on);
}

Status Scheduler::IndexNewTasks(const std::vector<TaskSpec>& specs, ResolvedDeps* resolved) {
  const TaskIndex base = static_cast<TaskIndex>(specs_.size());
  index_by_id_.reserve(index_by_id_.size() + specs.size());
  size_t entered = 0;  // specs[0 .. entered) are in index_by_id_
  auto roll_back = [&] {
    for (size_t i = 0; i < entered; ++i) index_by_id_.erase(specs[i].id);
  };
  for (size_t i = 0; i < specs.size(); ++i) {
    const TaskSpec& s = specs[i];
    if (!index_by_id_.try_emplace(s.id, base + static_cast<TaskIndex>(i)).second) {
      roll_back();
      return Status::InvalidArgument("task '" + s.id + "': a task with this id already exists");
    }
    ++entered;
    if (fixed_machine_ && !pool().CouldEverFit(s.resources)) {
      roll_back();
      return Status::InvalidArgument("task '" + s.id + "': asks for more than the machine has (" +
                                     NeverFits(s.resources, pool().Capacity()) + ")");
    }
  }
  resolved->deps.clear();
  resolved->first.assign(specs.size() + 1, 0);
  size_t total = 0;
  for (const TaskSpec& s : specs) total += s.depends_on.size();
  resolved->deps.reserve(total);
  for (size_t i = 0; i < specs.size(); ++i) {
    const TaskSpec& s = specs[i];
    for (const std::string& d : s.depends_on) {
      auto it = index_by_id_.find(d);
      if (it == index_by_id_.end()) {
        roll_back();
        return Status::InvalidArgument("task '" + s.id + "': depends on unknown task '" + d + "'");
      }
      resolved->deps.push_back(it->second);
    }
    resolved->first[i + 1] = static_cast<uint32_t>(resolved->deps.size());
  }
  Status cycles = CheckBatchCycles(specs, *resolved);
  if (!cycles.ok()) roll_back();
  return cycles;
}

Status Scheduler::CheckBatchCycles(const std::vector<TaskSpec>& specs,
                                   const ResolvedDeps& resolved) const {
  // Kahn's algorithm over the batch: earlier tasks cannot depend on new ones, so a cycle can
  // only run through the batch. Iterative (a 1M-task chain must not exhaust the stack), with
  // the in-batch edges in two flat arrays (dependents of i: edge[first[i] .. first[i + 1])).
  const TaskIndex base = static_cast<TaskIndex>(specs_.size());
  std::vector<uint32_t> unmet(specs.size(), 0);
  std::vector<uint32_t> first(specs.size() + 1, 0);
  size_t in_batch = 0;
  for (size_t i = 0; i < specs.size(); ++i) {
    for (uint32_t k = resolved.first[i]; k < resolved.first[i + 1]; ++k) {
      const TaskIndex dep = resolved.deps[k];
      if (dep >= base) {
        ++unmet[i];
        ++first[dep - base + 1];
        ++in_batch;
      }
    }
  }
  for (size_t i = 0; i < specs.size(); ++i) first[i + 1] += first[i];
  std::vector<uint32_t> edge(in_batch);
  {
    std::vector<uint32_t> fill(first.begin(), first.end() - 1);
    for (size_t i = 0; i < specs.size(); ++i) {
      for (uint32_t k = resolved.first[i]; k < resolved.first[i + 1]; ++k) {
        const TaskIndex dep = resolved.deps[k];
        if (dep >= base) edge[fill[dep - base]++] = static_cast<uint32_t>(i);
      }
    }
  }
  std::vector<uint32_t> order;
  order.reserve(specs.size());
  for (size_t i = 0; i < specs.size(); ++i) {
    if (unmet[i] == 0) order.push_back(static_cast<uint32_t>(i));
  }
  for (size_t k = 0; k < order.size(); ++k) {
    for (uint32_t e = first[order[k]]; e < first[order[k] + 1]; ++e) {
      if (--unmet[edge[e]] == 0) order.push_back(edge[e]);
    }
  }
  if (order.size() < specs.size()) {
    // Every task left has an unmet dependency left: walk those until one repeats.
    size_t i = 0;
    while (unmet[i] == 0) ++i;
    std::vector<bool> seen(specs.size(), false);
    while (!seen[i]) {
      seen[i] = true;
      for (uint32_t k = resolved.first[i]; k < resolved.first[i + 1]; ++k) {
        const TaskIndex dep = resolved.deps[k];
        if (dep >= base && unmet[dep - base] > 0) {
          i = dep - base;
          break;
        }
      }
    }
    return Status::InvalidArgument("task '" + specs[i].id + "': is part of a dependency cycle");
  }
  return Status::Ok();
}

void Scheduler::AddTasks(std::vector<TaskSpec> specs, const ResolvedDeps& resolved,
                         std::vector<TaskState>* initial, bool push_ready) {
  const TaskIndex first = static_cast<TaskIndex>(specs_.size());
  if (specs_.empty()) {
    specs_ = std::move(specs);
  } else {
    specs_.reserve(specs_.size() + specs.size());
    for (TaskSpec& s : specs) specs_.push_back(std::move(s));
  }
  tasks_.resize(specs_.size());
  dependents_.resize(specs_.size());
  if (initial != nullptr) initial->reserve(specs_.size() - first);
  for (TaskIndex t = first; t < specs_.size(); ++t) {
    TaskRecord& rec = tasks_[t];
    const size_t i = t - first;
    for (uint32_t k = resolved.first[i]; k < resolved.first[i + 1]; ++k) {
      const TaskIndex dep = resolved.deps[k];
      dependents_[dep].push_back(t);
      if (dep >= first || !Satisfies(dep)) ++rec.unmet;
    }
    TaskState s = rec.unmet == 0 ? TaskState::kReady : TaskState::kWaiting;
    rec.state = s;
    ++counts_[static_cast<int>(s)];
    rec.learn_estimate = !specs_[t].time_estimate.has_value();
    if (s == TaskState::kReady) ApplyLearned(t);
    if (push_ready && s == TaskState::kReady) ready_.Push(t, specs_[t].priority);
    if (initial != nullptr) initial->push_back(s);
  }
  dirty_ = true;
}

Status Scheduler::Submit(std::vector<TaskSpec> specs) {
  ResolvedDeps resolved;
  ALLOT_RETURN_IF_ERROR(IndexNewTasks(specs, &resolved));
  const TaskIndex first = static_cast<TaskIndex>(specs_.size());
  std::vector<TaskState> initial;
  AddTasks(std::move(specs), resolved, &initial, /*push_ready=*/true);
  const int64_t now = clock_->WallMicros();
  outbox_.submissions.reserve(outbox_.submissions.size() + (specs_.size() - first));
  for (TaskIndex t = first; t < specs_.size(); ++t) {
    Submission& sub = outbox_.submissions.emplace_back();
    sub.index = t;
    sub.spec = specs_[t];
    sub.initial_state = initial[t - first];
    sub.wall_time_us = now;
  }
  // A new task whose dependency already failed for good is skipped at once.
  for (TaskIndex t = first; t < specs_.size(); ++t) {
    const size_t i = t - first;
    for (uint32_t k = resolved.first[i]; k < resolved.first[i + 1]; ++k) {
      const TaskIndex dep = resolved.deps[k];
      TaskState ds = tasks_[dep].state;
      if ((ds == TaskState::kFailed || ds == TaskState::kSkipped || ds == TaskState::kCanceled) &&
          !Satisfies(dep) && tasks_[t].state == TaskState::kWaiting) {
        Transition(t, TaskState::kSkipped, "dependency '" + specs_[dep].id + "' " +
                                               std::string(TaskStateName(ds)));
        SkipDescendants(t);
      }
    }
  }
  return Status::Ok();
}

Status Scheduler::Recover(std::span<const Submission> submissions,
                          std::span<const TaskEvent> events, RecoverMode mode) {
  if (!specs_.empty()) return Status::FailedPrecondition("Recover on a non-empty scheduler");
  std::vector<TaskSpec> specs;
  specs.reserve(submissions.size());
  for (size_t i = 0; i < submissions.size(); ++i) {
    if (submissions[i].index != i) {
      return Status::Corruption("journal: submission " + std::to_string(i) + " has index " +
                                std::to_string(submissions[i].index));
    }
    if (!IsInitialState(submissions[i].initial_state)) {
      return Status::Corruption("journal: task '" + submissions[i].spec.id + "' submitted as " +
                                std::string(TaskStateName(submissions[i].initial_state)));
    }
    specs.push_back(submissions[i].spec);
  }
  ResolvedDeps resolved;
  ALLOT_RETURN_IF_ERROR(IndexNewTasks(specs, &resolved).WithPrefix("journal"));
  // The ready queue is built once, after the replay (ready_ stays empty until then).
  AddTasks(std::move(specs), resolved, nullptr, /*push_ready=*/false);
  // Initial states come from the journal, not from today's dependency states.
  for (const Submission& s : submissions) {
    TaskRecord& rec = tasks_[s.index];
    if (rec.state != s.initial_state) {
      --counts_[static_cast<int>(rec.state)];
      rec.state = s.initial_state;
      ++counts_[static_cast<int>(rec.state)];
    }
  }
  // Replay. Running attempts' allocations are not claimed here: in the embedded form nothing
  // survives a restart, so every interrupted attempt is ended below; in cluster mode they are
  // claimed when their worker reports them (AddWorker).
  std::unordered_map<TaskIndex, const TaskEvent*> started;  // last -> running of each task
  for (const TaskEvent& e : events) {
    if (e.task >= tasks_.size()) {
      return Status::Corruption("journal: event for unknown task index " + std::to_string(e.task));
    }
    TaskRecord& rec = tasks_[e.task];
    if (rec.state != e.from || !CanTransition(e.from, e.to)) {
      return Status::Corruption("journal: task '" + specs_[e.task].id + "' cannot go from " +
                                std::string(TaskStateName(e.from)) + " to " +
                                std::string(TaskStateName(e.to)) + " (it is " +
                                std::string(TaskStateName(rec.state)) + ")");
    }
    if (e.usage && e.to != TaskState::kPreempted && e.to != TaskState::kCanceled) {
      // What the attempt taught its profile (before the details of a finished task go).
      Allocation held;
      if (auto it = started.find(e.task); it != started.end()) {
        held.cpus = it->second->cores;
        held.memory_bytes = it->second->memory_bytes;
      }
      Learn(e.task, held, *e.usage, e.to == TaskState::kSucceeded);
    }
    --counts_[static_cast<int>(rec.state)];
    ++counts_[static_cast<int>(e.to)];
    rec.state = e.to;
    if (IsTerminal(e.to)) {
      ++terminal_;
      ReleaseDetails(e.task);
    }
    if (e.to == TaskState::kRunning && e.from != TaskState::kPaused) {
      rec.attempts = e.attempt;
      started[e.task] = &e;
    }
    if (e.to == TaskState::kLost || e.to == TaskState::kPreempted) ++rec.crashes;
    if (e.to == TaskState::kReady && e.memory_bytes != 0) {
      // Killed at its memory limit and given more: the grown request holds from here on.
      specs_[e.task].resources.memory_bytes = e.memory_bytes;
      ++rec.memory_retries;
    }
    if (e.to == TaskState::kSkipped && e.by_user) rec.skipped_by_user = true;
    if (e.usage) {
      rec.last_exit = e.usage->term_signal ? -e.usage->term_signal : e.usage->exit_code;
      totals_.cpu += e.usage->user_cpu + e.usage->sys_cpu;
      totals_.task_wall += e.usage->wall;
      ++totals_.attempts_ended;
    }
    if (e.to == TaskState::kSucceeded || (e.to == TaskState::kSkipped && e.by_user)) {
      for (TaskIndex d : dependents_[e.task]) --tasks_[d].unmet;
    }
  }
  {
    std::vector<std::pair<TaskIndex, int>> ready;
    ready.reserve(static_cast<size_t>(counts_[static_cast<int>(TaskState::kReady)]));
    for (TaskIndex t = 0; t < tasks_.size(); ++t) {
      if (tasks_[t].state == TaskState::kReady) {
        ApplyLearned(t);
        ready.emplace_back(t, specs_[t].priority);
      }
    }
    ready_.Assign(ready);
  }
  // Settle what the end of the journal left in flight.
  const TimePoint now = clock_->Now();
  const int64_t wall_now = clock_->WallMicros();
  for (TaskIndex t = 0; t < tasks_.size(); ++t) {
    TaskRecord& rec = tasks_[t];
    if ((rec.state == TaskState::kRunning || rec.state == TaskState::kPaused) &&
        mode == RecoverMode::kAwaitWorkers) {
      // Unattached until its worker reports it. It started when the journal says.
      Running& r = running_[t];
      r.execution = MakeExecutionId(t, rec.attempts);
      r.worker = kNoWorker;
      auto it = started.find(t);
      if (it != started.end()) {
        const TaskEvent& e = *it->second;
        r.allocation.cpus = e.cores;
        r.allocation.gpus = e.gpus;
        r.allocation.memory_bytes = e.memory_bytes;
        r.started = now - std::chrono::microseconds(std::max<int64_t>(0, wall_now - e.wall_time_us));
      } else {
        r.started = now;
      }
      r.allocation.custom = specs_[t].resources.custom;
      if (specs_[t].time_limit) {
        timers_.Add({r.started + *specs_[t].time_limit, TimerKind::kTimeLimit, t, rec.attempts});
      }
      continue;
    }
    if (rec.state == TaskState::kRunning || rec.state == TaskState::kPaused) {
      Transition(t, TaskState::kLost,
                 "allot stopped while attempt " + std::to_string(rec.attempts) + " ran");
      ++rec.crashes;
    }
    if (rec.state == TaskState::kLost || rec.state == TaskState::kPreempted) {
      if (rec.crashes > options_.crash_limit) {
        Fail(t, "interrupted " + std::to_string(rec.crashes) + " times (crash limit " +
                    std::to_string(options_.crash_limit) + ")", nullptr);
      } else {
        Transition(t, TaskState::kReady, "runs again after an interruption");
      }
    } else if (rec.state == TaskState::kWaiting && rec.unmet == 0) {
      Transition(t, TaskState::kReady, "retry backoff cut short by a restart");
    }
  }
  for (TaskIndex t = 0; t < tasks_.size(); ++t) {
    TaskState s = tasks_[t].state;
    if ((s == TaskState::kFailed || s == TaskState::kSkipped || s == TaskState::kCanceled) &&
        !Satisfies(t)) {
      SkipDescendants(t);
    }
  }
  dirty_ = true;
  return Status::Ok();
}

void Scheduler::Schedule() {
  if (stopping_ || !dirty_) return;
  dirty_ = false;
  blocked_.reset();
  if (ready_.empty()) return;
  const TaskIndex head = ReadyQueue::TaskOf(*ready_.begin());
  int slots = options_.max_running > 0
                  ? std::max(0, options_.max_running - static_cast<int>(running_.size()))
                  : std::numeric_limits<int>::max();
  if (slots == 0) {
    blocked_ = Blocked{head, "the limit on running tasks (--max-workers) is reached"};
    return;
  }
  if (workers_.empty()) {
    blocked_ = Blocked{head, "no worker is connected"};
    return;
  }
  bool any_free = false;
  for (auto& [id, w] : workers_) {
    if (slots <= 0 || ready_.empty()) break;
    if (w.draining || w.pool.free().cores <= 0) continue;
    any_free = true;
    ScheduleOn(id, w, &slots);
  }
  if (!ready_.empty() && !blocked_) {
    const TaskIndex first = ReadyQueue::TaskOf(*ready_.begin());
    if (!fixed_machine_) {
      std::string never = NoWorkerFits(specs_[first].resources);
      if (!never.empty()) {
        blocked_ = Blocked{first, never};
        return;
      }
    }
    blocked_ = Blocked{first, slots <= 0 ? "the limit on running tasks (--max-workers) is reached"
                              : any_free ? "waiting for resources"
                                         : "all cores are busy"};
  }
}

std::vector<RunningView> Scheduler::RunningOn(WorkerId worker) const {
  std::vector<RunningView> views;
  for (const auto& [t, r] : running_) {
    if (r.worker != worker) continue;
    RunningView& v = views.emplace_back();
    v.held = Held(r.allocation);
    if (auto runtime = ExpectedRuntime(specs_[t])) v.expected_end = r.started + *runtime;
  }
  return views;
}

void Scheduler::ScheduleOn(WorkerId id, WorkerSlot& w, int* slots) {
  PolicyInput in;
  in.now = clock_->Now();
  in.ready = &ready_;
  in.spec = [this](TaskIndex t) -> const TaskSpec& { return specs_[t]; };
  in.free = w.pool.free();
  if (!fixed_machine_) in.capacity = w.pool.Capacity();
  in.start_slots = *slots;
  in.running = [this, id] { return RunningOn(id); };
  choices_.clear();
  std::optional<Blocked> blocked;
  policy_->Choose(in, &choices_, &blocked);
  for (const Choice& c : choices_) Start(c.task, c.cores, w);
  *slots -= static_cast<int>(choices_.size());
  if (blocked && !blocked_) blocked_ = std::move(blocked);
}

std::string Scheduler::NoWorkerFits(const ResourceRequest& r) const {
  for (const auto& [id, w] : workers_) {
    if (w.pool.CouldEverFit(r)) return "";
  }
  ResourceAmounts best;
  for (const auto& [id, w] : workers_) {
    ResourceAmounts c = w.pool.Capacity();
    best.cores = std::max(best.cores, c.cores);
    best.memory_bytes = std::max(best.memory_bytes, c.memory_bytes);
    best.gpus = std::max(best.gpus, c.gpus);
    for (const auto& [name, n] : c.custom) best.custom[name] = std::max(best.custom[name], n);
  }
  return "no connected worker can ever fit it: it asks for " + NeverFits(r, best);
}

void Scheduler::Start(TaskIndex t, int cores, WorkerSlot& w) {
  const TaskSpec& s = specs_[t];
  TaskRecord& rec = tasks_[t];
  Allocation a = w.pool.Allocate(s.resources, cores);
  ++rec.attempts;
  Transition(t, TaskState::kRunning, "", nullptr, &a);
  outbox_.events.back().worker = w.name;
  ExecutionId exec = MakeExecutionId(t, rec.attempts);
  Running& r = running_[t];
  r = Running{};
  r.execution = exec;
  r.worker = w.id;
  r.started = clock_->Now();
  ++w.running;
  if (s.time_limit) {
    timers_.Add({r.started + *s.time_limit, TimerKind::kTimeLimit, t, rec.attempts});
  }
  outbox_.launches.push_back({w.id, exec, t, rec.attempts, a});
  r.allocation = std::move(a);
}

void Scheduler::OnAttemptExited(ExecutionId execution, const AttemptUsage& usage) {
  OnAttemptExited(execution, usage, "");
}

void Scheduler::OnAttemptExited(ExecutionId execution, const AttemptUsage& usage,
                                const std::string& launch_error) {
  TaskIndex t = TaskOfExecution(execution);
  auto it = running_.find(t);
  if (t >= tasks_.size() || it == running_.end() || it->second.execution != execution) return;
  EndAttempt(t, usage, launch_error.empty() ? "" : "could not start: " + launch_error);
}

void Scheduler::OnAttemptLost(ExecutionId execution, const std::string& reason) {
  TaskIndex t = TaskOfExecution(execution);
  auto it = running_.find(t);
  if (t >= tasks_.size() || it == running_.end() || it->second.execution != execution) return;
  LoseAttempt(t, reason);
}

void Scheduler::OnLaunchFailed(ExecutionId execution, const Status& why) {
  TaskIndex t = TaskOfExecution(execution);
  auto it = running_.find(t);
  if (t >= tasks_.size() || it == running_.end() || it->second.execution != execution) return;
  AttemptUsage usage;
  usage.exit_code = 127;
  EndAttempt(t, usage, "could not start: " + why.message());
}

void Scheduler::EndAttempt(TaskIndex t, const AttemptUsage& reported,
                           const std::string& launch_error) {
  auto it = running_.find(t);
  Running r = std::move(it->second);
  running_.erase(it);
  ReleaseAllocation(r);
  dirty_ = true;

  AttemptUsage usage = reported;
  usage.timed_out = usage.timed_out || r.timed_out;
  TaskRecord& rec = tasks_[t];
  rec.last_exit = usage.term_signal ? -usage.term_signal : usage.exit_code;
  totals_.cpu += usage.user_cpu + usage.sys_cpu;
  totals_.task_wall += usage.wall;
  ++totals_.attempts_ended;

  const bool clean = usage.exit_code == 0 && usage.term_signal == 0 && !usage.timed_out &&
                     launch_error.empty();
  if (launch_error.empty() && !r.cancel_sent && !r.stop_sent) Learn(t, r.allocation, usage, clean);

  if (r.cancel_sent) {
    Transition(t, TaskState::kCanceled, "canceled while it ran", &usage);
    outbox_.events.back().by_user = true;
    SkipDescendants(t);
    return;
  }
  if (r.stop_sent) {
    // Whatever it exited with, it was told to stop: a task that checkpoints and exits 0 on
    // SIGTERM has not finished its work.
    ++rec.crashes;
    Transition(t, TaskState::kPreempted, "allot was stopped while it ran", &usage);
    return;
  }
  if (rec.state == TaskState::kPaused) {
    // Killed from outside (or by the OOM killer) while stopped: it ran, and ended.
    Transition(t, TaskState::kRunning, "ended while paused");
  }
  if (clean) {
    Succeed(t, usage);
    return;
  }
  std::string what = launch_error.empty() ? DescribeExit(usage) : launch_error;
  if (usage.memory_exceeded && launch_error.empty() && GrowMemory(t, r, usage, &what)) return;
  const TaskSpec& s = specs_[t];
  // Attempts lost or preempted were not the task's fault (crash_limit bounds them), and those
  // killed at their memory limit and given more memory are bounded by memory_max: only the
  // other failed ones use up retries.
  const int failures =
      static_cast<int>(rec.attempts) - rec.crashes - rec.memory_retries;
  if (failures <= s.max_retries) {
    Duration delay = s.retry_backoff.DelayBeforeRetry(failures);
    std::string reason = what + "; retry " + std::to_string(failures) + " of " +
                         std::to_string(s.max_retries);
    if (delay <= Duration(0)) {
      Transition(t, TaskState::kReady, std::move(reason), &usage);
    } else {
      reason += " in " + FormatDuration(delay);
      Transition(t, TaskState::kWaiting, std::move(reason), &usage);
      timers_.Add({clock_->Now() + delay, TimerKind::kRetry, t, rec.attempts});
    }
    return;
  }
  std::string reason = what;
  if (s.max_retries > 0) reason += " (after " + std::to_string(rec.attempts) + " attempts)";
  Fail(t, std::move(reason), &usage);
}

bool Scheduler::GrowMemory(TaskIndex t, const Running& r, const AttemptUsage& usage,
                           std::string* what) {
  const int64_t limit = r.allocation.memory_bytes;
  *what = "killed at its memory limit of " + FormatSize(limit) + " (peak " +
          FormatSize(usage.max_rss_bytes) + ")";
  const TaskSpec& s = specs_[t];
  // memory: auto grows up to the largest worker (memory_max, when given, caps it).
  if (s.memory_max_bytes <= 0 && !s.resources.memory_auto) return false;
  const int64_t cap = MemoryCap(t);
  std::optional<int64_t> next = NextMemoryAfterOom(limit, usage.max_rss_bytes, cap);
  if (!next) {
    *what += s.memory_max_bytes <= 0
                 ? "; no worker has more than " + FormatSize(cap)
             : cap < s.memory_max_bytes
                 ? "; no worker has more than " + FormatSize(cap) + " (memory_max " +
                       FormatSize(s.memory_max_bytes) + ")"
                 : "; memory_max " + FormatSize(s.memory_max_bytes) + " reached";
    return false;
  }
  ++tasks_[t].memory_retries;
  specs_[t].resources.memory_bytes = *next;
  Transition(t, TaskState::kReady, *what + "; runs again with " + FormatSize(*next), &usage);
  outbox_.events.back().memory_bytes = *next;  // durable: Recover applies it to the spec
  return true;
}

int64_t Scheduler::MemoryCap(TaskIndex t) const {
  int64_t largest = 0;
  for (const auto& [id, w] : workers_) {
    largest = std::max(largest, w.pool.Capacity().memory_bytes);
  }
  const int64_t cap = specs_[t].memory_max_bytes;
  if (cap <= 0) return largest;  // memory: auto without memory_max
  return workers_.empty() ? cap : std::min(cap, largest);
}

void Scheduler::Learn(TaskIndex t, const Allocation& held, const AttemptUsage& usage,
                      bool succeeded) {
  learner_.Record(specs_[t], held, usage, succeeded);
}

void Scheduler::ApplyLearned(TaskIndex t) {
  int64_t largest = 0;
  if (specs_[t].resources.memory_auto) {
    for (const auto& [id, w] : workers_) {
      largest = std::max(largest, w.pool.Capacity().memory_bytes);
    }
  }
  learner_.Apply(&specs_[t], tasks_[t].learn_estimate, largest);
}

void Scheduler::Succeed(TaskIndex t, const AttemptUsage& usage) {
  Transition(t, TaskState::kSucceeded, "", &usage);
  SatisfyDependents(t);
}

void Scheduler::SatisfyDependents(TaskIndex t) {
  for (TaskIndex d : dependents_[t]) {
    TaskRecord& dep = tasks_[d];
    if (--dep.unmet == 0 && dep.state == TaskState::kWaiting) {
      Transition(d, TaskState::kReady, "");
    }
  }
}

bool Scheduler::Satisfies(TaskIndex dep) const {
  const TaskRecord& r = tasks_[dep];
  return r.state == TaskState::kSucceeded || (r.state == TaskState::kSkipped && r.skipped_by_user);
}

void Scheduler::Fail(TaskIndex t, std::string reason, const AttemptUsage* usage) {
  Transition(t, TaskState::kFailed, std::move(reason), usage);
  SkipDescendants(t);
}

void Scheduler::SkipDescendants(TaskIndex failed) {
  std::deque<TaskIndex> queue{failed};
  while (!queue.empty()) {
    TaskIndex t = queue.front();
    queue.pop_front();
    for (TaskIndex d : dependents_[t]) {
      TaskState s = tasks_[d].state;
      if (s != TaskState::kWaiting && s != TaskState::kReady) continue;
      Transition(d, TaskState::kSkipped,
                 "dependency '" + specs_[t].id + "' " +
                     std::string(TaskStateName(tasks_[t].state)));
      queue.push_back(d);
    }
  }
}

void Scheduler::OnTimersDue() {
  for (const Timer& timer : timers_.PopDue(clock_->Now())) OnTimer(timer);
}

void Scheduler::OnTimer(const Timer& timer) {
  TaskRecord& rec = tasks_[timer.task];
  if (rec.attempts != timer.attempt) return;
  switch (timer.kind) {
    case TimerKind::kTimeLimit:
    case TimerKind::kKillAfterGrace: {
      auto it = running_.find(timer.task);
      if (it == running_.end()) return;
      Running& r = it->second;
      if (timer.kind == TimerKind::kTimeLimit) {
        if (r.term_sent) return;
        r.timed_out = true;
        r.term_sent = true;
        Signal(r, SIGTERM);
        if (rec.state == TaskState::kPaused) {
          Transition(timer.task, TaskState::kRunning, "resumed to end at its time limit");
          Signal(r, SIGCONT);
        }
        timers_.Add({clock_->Now() + specs_[timer.task].grace_period, TimerKind::kKillAfterGrace,
                     timer.task, timer.attempt});
      } else {
        Signal(r, SIGKILL);
      }
      return;
    }
    case TimerKind::kRetry:
      if (rec.state == TaskState::kWaiting && rec.unmet == 0 && !stopping_) {
        Transition(timer.task, TaskState::kReady, "retry backoff over");
      }
      return;
  }
}

void Scheduler::Stop(bool kill_now) {
  const bool first = !stopping_;
  stopping_ = true;
  for (auto& [t, r] : running_) {
    r.stop_sent = true;
    if (kill_now) {
      Signal(r, SIGKILL);
    } else if (first) {
      if (!r.term_sent) Signal(r, SIGTERM);
      if (tasks_[t].state == TaskState::kPaused) Signal(r, SIGCONT);
      r.term_sent = true;
      timers_.Add({clock_->Now() + specs_[t].grace_period, TimerKind::kKillAfterGrace, t,
                   tasks_[t].attempts});
    }
  }
}

void Scheduler::Signal(const Running& r, int signal) {
  // An unattached attempt cannot be reached; AddWorker repeats a pending SIGTERM on attach.
  if (r.worker == kNoWorker) return;
  outbox_.signals.push_back({r.worker, r.execution, signal});
}

void Scheduler::ReleaseAllocation(const Running& r) {
  auto w = workers_.find(r.worker);
  if (w == workers_.end()) return;
  w->second.pool.Release(r.allocation);
  --w->second.running;
}

std::string Scheduler::WhyWaiting(TaskIndex t) const {
  const TaskRecord& rec = tasks_[t];
  switch (rec.state) {
    case TaskState::kWaiting: {
      if (rec.unmet == 0) return "retry backoff";
      std::string why = "waiting for";
      int shown = 0;
      for (const std::string& d : specs_[t].depends_on) {
        TaskIndex dep = index_by_id_.at(d);
        if (tasks_[dep].state == TaskState::kSucceeded) continue;
        if (shown++ == 3) {
          why += " and " + std::to_string(rec.unmet - 3) + " more";
          break;
        }
        why += (shown > 1 ? ", " : " ") + d + " (" +
               std::string(TaskStateName(tasks_[dep].state)) + ")";
      }
      return why;
    }
    case TaskState::kReady:
      if (stopping_) return "allot is stopping";
      if (blocked_ && blocked_->task == t) return blocked_->reason;
      if (blocked_) return "queued behind '" + specs_[blocked_->task].id + "'";
      return "ready";
    default:
      return "";
  }
}

}  // namespace allot
