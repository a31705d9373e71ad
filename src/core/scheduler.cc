#include "core/scheduler.h"

#include <algorithm>
#include <cassert>
#include <csignal>
#include <deque>
#include <limits>

#include "common/units.h"
#include "core/policy/priority_backfill_policy.h"

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
    : clock_(clock),
      options_(options),
      policy_(policy ? std::move(policy)
                     : std::make_unique<PriorityBackfillPolicy>(options.backfill_depth)),
      pool_(std::move(machine)) {}

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
    if (!pool_.CouldEverFit(s.resources)) {
      roll_back();
      return Status::InvalidArgument("task '" + s.id + "': asks for more than the machine has (" +
                                     NeverFits(s.resources, pool_.Capacity()) + ")");
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
      TaskState ds = dep < first ? tasks_[dep].state : TaskState::kWaiting;
      if (ds != TaskState::kSucceeded) ++rec.unmet;
    }
    TaskState s = rec.unmet == 0 ? TaskState::kReady : TaskState::kWaiting;
    rec.state = s;
    ++counts_[static_cast<int>(s)];
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
          tasks_[t].state == TaskState::kWaiting) {
        Transition(t, TaskState::kSkipped, "dependency '" + specs_[dep].id + "' " +
                                               std::string(TaskStateName(ds)));
        SkipDescendants(t);
      }
    }
  }
  return Status::Ok();
}

Status Scheduler::Recover(std::span<const Submission> submissions,
                          std::span<const TaskEvent> events) {
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
  // Replay. Running attempts' allocations are not claimed: nothing survives a restart of the
  // embedded form, so every interrupted attempt is ended below.
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
    --counts_[static_cast<int>(rec.state)];
    ++counts_[static_cast<int>(e.to)];
    rec.state = e.to;
    if (IsTerminal(e.to)) {
      ++terminal_;
      ReleaseDetails(e.task);
    }
    if (e.to == TaskState::kRunning && e.from != TaskState::kPaused) rec.attempts = e.attempt;
    if (e.to == TaskState::kLost || e.to == TaskState::kPreempted) ++rec.crashes;
    if (e.usage) {
      rec.last_exit = e.usage->term_signal ? -e.usage->term_signal : e.usage->exit_code;
      totals_.cpu += e.usage->user_cpu + e.usage->sys_cpu;
      totals_.task_wall += e.usage->wall;
      ++totals_.attempts_ended;
    }
    if (e.to == TaskState::kSucceeded) {
      for (TaskIndex d : dependents_[e.task]) --tasks_[d].unmet;
    }
  }
  {
    std::vector<std::pair<TaskIndex, int>> ready;
    ready.reserve(static_cast<size_t>(counts_[static_cast<int>(TaskState::kReady)]));
    for (TaskIndex t = 0; t < tasks_.size(); ++t) {
      if (tasks_[t].state == TaskState::kReady) ready.emplace_back(t, specs_[t].priority);
    }
    ready_.Assign(ready);
  }
  // Settle what the end of the journal left in flight.
  for (TaskIndex t = 0; t < tasks_.size(); ++t) {
    TaskRecord& rec = tasks_[t];
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
    if (s == TaskState::kFailed || s == TaskState::kSkipped || s == TaskState::kCanceled) {
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
  PolicyInput in;
  in.now = clock_->Now();
  in.ready = &ready_;
  in.spec = [this](TaskIndex t) -> const TaskSpec& { return specs_[t]; };
  in.free = pool_.free();
  in.start_slots = options_.max_running > 0
                       ? std::max(0, options_.max_running - static_cast<int>(running_.size()))
                       : std::numeric_limits<int>::max();
  if (in.free.cores <= 0 || in.start_slots == 0) {
    blocked_ = Blocked{ReadyQueue::TaskOf(*ready_.begin()),
                       in.start_slots == 0 ? "the limit on running tasks (--max-workers) is reached"
                                           : "all cores are busy"};
    return;
  }
  in.running.reserve(running_.size());
  for (const auto& [t, r] : running_) {
    RunningView v;
    v.held = Held(r.allocation);
    if (auto runtime = ExpectedRuntime(specs_[t])) v.expected_end = r.started + *runtime;
    in.running.push_back(std::move(v));
  }
  choices_.clear();
  policy_->Choose(in, &choices_, &blocked_);
  for (const Choice& c : choices_) Start(c.task, c.cores);
}

void Scheduler::Start(TaskIndex t, int cores) {
  const TaskSpec& s = specs_[t];
  TaskRecord& rec = tasks_[t];
  Allocation a = pool_.Allocate(s.resources, cores);
  ++rec.attempts;
  Transition(t, TaskState::kRunning, "", nullptr, &a);
  ExecutionId exec = MakeExecutionId(t, rec.attempts);
  Running& r = running_[t];
  r = Running{};
  r.execution = exec;
  r.started = clock_->Now();
  if (s.time_limit) {
    timers_.Add({r.started + *s.time_limit, TimerKind::kTimeLimit, t, rec.attempts});
  }
  outbox_.launches.push_back({exec, t, rec.attempts, a});
  r.allocation = std::move(a);
}

void Scheduler::OnAttemptExited(ExecutionId execution, const AttemptUsage& usage) {
  TaskIndex t = TaskOfExecution(execution);
  auto it = running_.find(t);
  if (t >= tasks_.size() || it == running_.end() || it->second.execution != execution) return;
  EndAttempt(t, usage, "");
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
  pool_.Release(r.allocation);
  dirty_ = true;

  AttemptUsage usage = reported;
  usage.timed_out = usage.timed_out || r.timed_out;
  TaskRecord& rec = tasks_[t];
  rec.last_exit = usage.term_signal ? -usage.term_signal : usage.exit_code;
  totals_.cpu += usage.user_cpu + usage.sys_cpu;
  totals_.task_wall += usage.wall;
  ++totals_.attempts_ended;

  if (r.stop_sent) {
    // Whatever it exited with, it was told to stop: a task that checkpoints and exits 0 on
    // SIGTERM has not finished its work.
    ++rec.crashes;
    Transition(t, TaskState::kPreempted, "allot was stopped while it ran", &usage);
    return;
  }
  const bool clean = usage.exit_code == 0 && usage.term_signal == 0 && !usage.timed_out &&
                     launch_error.empty();
  if (clean) {
    Succeed(t, usage);
    return;
  }
  std::string what = launch_error.empty() ? DescribeExit(usage) : launch_error;
  const TaskSpec& s = specs_[t];
  // Attempts lost or preempted were not the task's fault (crash_limit bounds them): only the
  // failed ones use up retries.
  const int failures = static_cast<int>(rec.attempts) - rec.crashes;
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

void Scheduler::Succeed(TaskIndex t, const AttemptUsage& usage) {
  Transition(t, TaskState::kSucceeded, "", &usage);
  for (TaskIndex d : dependents_[t]) {
    TaskRecord& dep = tasks_[d];
    if (--dep.unmet == 0 && dep.state == TaskState::kWaiting) {
      Transition(d, TaskState::kReady, "");
    }
  }
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
        outbox_.signals.push_back({r.execution, SIGTERM});
        timers_.Add({clock_->Now() + specs_[timer.task].grace_period, TimerKind::kKillAfterGrace,
                     timer.task, timer.attempt});
      } else {
        outbox_.signals.push_back({r.execution, SIGKILL});
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
      outbox_.signals.push_back({r.execution, SIGKILL});
    } else if (first) {
      if (!r.term_sent) outbox_.signals.push_back({r.execution, SIGTERM});
      r.term_sent = true;
      timers_.Add({clock_->Now() + specs_[t].grace_period, TimerKind::kKillAfterGrace, t,
                   tasks_[t].attempts});
    }
  }
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
