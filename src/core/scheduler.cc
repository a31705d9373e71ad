// Scheduler: submission, transitions, attempts and their ends, timers, stop.
#include "core/scheduler.h"

#include "model/task_result.h"

#include <algorithm>
#include <csignal>
#include <deque>

#include "common/internal_error.h"
#include "common/units.h"
#include "core/attempt_outcome.h"
#include "core/policy/priority_backfill_policy.h"
#include "model/checkpoint_report.h"
#include "model/machine_fit.h"

namespace allot {

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
                     : std::make_unique<PriorityBackfillPolicy>(options.backfill_depth,
                                                                     options.backfill_patience)) {
  if (!options_.share_weights.empty()) {
    fair_share_ = std::make_unique<FairShare>(options_.share_weights, options_.share_half_life);
  }
}

Scheduler::~Scheduler() = default;

bool Scheduler::Done() const {
  if (stopping_) return running_.empty();
  return tasks_.terminal() == static_cast<int64_t>(tasks_.size());
}

void Scheduler::Transition(TaskIndex t, TaskState to, std::string reason,
                           const EventFacts& facts) {
  const TaskState from = tasks_.state(t);
  if (!CanTransition(from, to)) {
    InternalError("task '" + tasks_.id(t) + "' cannot go from " +
                  std::string(TaskStateName(from)) + " to " + std::string(TaskStateName(to)));
  }
  TaskEvent& e = outbox_.events.emplace_back();
  e.task = t;
  e.attempt = StartsAttempt(from, to) ? tasks_.record(t).attempts + 1 : tasks_.record(t).attempts;
  e.from = from;
  e.to = to;
  e.wall_time_us = clock_->WallMicros();
  if (facts.usage != nullptr) e.usage = *facts.usage;
  if (facts.allocation != nullptr) {
    e.cores = facts.allocation->cpus;
    e.gpus = facts.allocation->gpus;
    e.memory_bytes = facts.allocation->memory_bytes;
  }
  if (facts.worker != nullptr) e.worker = *facts.worker;
  if (facts.grown_memory != 0) e.memory_bytes = facts.grown_memory;
  e.by_user = facts.by_user;
  e.reason = std::move(reason);

  // The spec (and with it the priority) goes when the task finishes: leave the queue first.
  if (from == TaskState::kReady) EraseReady(t);
  std::vector<TaskIndex> freed;
  fold_.Apply(e, &freed);
  if (to == TaskState::kReady) {
    ApplyLearned(t);
    PushReady(t);
    dirty_ = true;
  }
  for (TaskIndex d : freed) {
    if (tasks_.state(d) == TaskState::kWaiting) Transition(d, TaskState::kReady, "");
  }
}

Status Scheduler::BeginBatch(const SpecBatch& specs, BatchDeps* deps,
                             const std::vector<bool>* finished) {
  ALLOT_RETURN_IF_ERROR(tasks_.BeginBatch(specs));
  if (fixed_machine_) {
    for (size_t i = 0; i < specs.size(); ++i) {
      if (finished != nullptr && (*finished)[i]) continue;
      const TaskSpec& s = specs[i];
      if (s.executor != pool().machine().executor) {
        tasks_.AbandonBatch();
        return Status::InvalidArgument(
            "task '" + s.id + "': executor: " + s.executor +
            " needs a cluster-mode server with a worker started with `allot worker start "
            "--executor " + s.executor + "`; this run has none");
      }
      if (s.resources.nodes > 1) {
        tasks_.AbandonBatch();
        return Status::InvalidArgument(
            "task '" + s.id + "': asks for " + std::to_string(s.resources.nodes) +
            " nodes; allot run is one node (run a server and a worker per node: allot server, "
            "allot worker)");
      }
      if (!pool().CouldEverFit(s.resources)) {
        tasks_.AbandonBatch();
        std::vector<std::string> why = WhyNeverFits(s.resources, pool().Capacity());
        return Status::InvalidArgument("task '" + s.id + "': " +
                                       (why.empty() ? "asks for more than this machine has"
                                                    : why.front()));
      }
    }
  }
  deps->deps.clear();
  deps->first.assign(specs.size() + 1, 0);
  size_t total = 0;
  for (size_t i = 0; i < specs.size(); ++i) total += specs[i].depends_on.size();
  deps->deps.reserve(total);
  for (size_t i = 0; i < specs.size(); ++i) {
    const TaskSpec& s = specs[i];
    for (const std::string& d : s.depends_on) {
      std::optional<TaskIndex> dep = tasks_.Find(d);
      if (!dep) {
        tasks_.AbandonBatch();
        return Status::InvalidArgument("task '" + s.id + "': depends on unknown task '" + d + "'");
      }
      deps->deps.push_back(*dep);
    }
    deps->first[i + 1] = static_cast<uint32_t>(deps->deps.size());
  }
  const TaskIndex base = static_cast<TaskIndex>(tasks_.size());
  if (std::optional<size_t> cycle = TaskGraph::FindCycle(base, *deps)) {
    tasks_.AbandonBatch();
    return Status::InvalidArgument("task '" + specs[*cycle].id +
                                   "': is part of a dependency cycle");
  }
  return Status::Ok();
}

void Scheduler::AddTasks(TaskIndex first, const BatchDeps& deps,
                         std::vector<TaskState>* initial, bool push_ready) {
  graph_.AddBatch(deps, [this](TaskIndex dep) { return Satisfies(dep); });
  if (initial != nullptr) initial->reserve(tasks_.size() - first);
  for (TaskIndex t = first; t < tasks_.size(); ++t) {
    const TaskState s = graph_.unmet(t) == 0 ? TaskState::kReady : TaskState::kWaiting;
    if (s == TaskState::kReady) tasks_.SetState(t, s);
    if (tasks_.has_spec(t)) {
      tasks_.mutable_record(t).learn_estimate = !tasks_.spec(t).time_estimate.has_value();
      if (s == TaskState::kReady) {
        ApplyLearned(t);
        if (push_ready) PushReady(t);
      }
    }
    if (initial != nullptr) initial->push_back(s);
  }
  dirty_ = true;
}

Status Scheduler::Submit(std::vector<TaskSpec> specs) {
  BatchDeps deps;
  ALLOT_RETURN_IF_ERROR(BeginBatch(SpecBatch(specs), &deps));
  const TaskIndex first = tasks_.CommitBatch(std::move(specs));
  std::vector<TaskState> initial;
  AddTasks(first, deps, &initial, /*push_ready=*/true);
  const int64_t now = clock_->WallMicros();
  outbox_.submissions.reserve(outbox_.submissions.size() + (tasks_.size() - first));
  for (TaskIndex t = first; t < tasks_.size(); ++t) {
    Submission& sub = outbox_.submissions.emplace_back();
    sub.index = t;
    sub.spec = tasks_.spec(t);
    sub.initial_state = initial[t - first];
    sub.wall_time_us = now;
  }
  // A new task whose dependency already failed for good is skipped at once.
  for (TaskIndex t = first; t < tasks_.size(); ++t) {
    const size_t i = t - first;
    for (uint32_t k = deps.first[i]; k < deps.first[i + 1]; ++k) {
      const TaskIndex dep = deps.deps[k];
      const TaskState ds = tasks_.state(dep);
      if (IsUnsuccessful(ds) && !Satisfies(dep) && tasks_.state(t) == TaskState::kWaiting) {
        Transition(t, TaskState::kSkipped,
                   "dependency '" + tasks_.id(dep) + "' " + std::string(TaskStateName(ds)));
        SkipDescendants(t);
      }
    }
  }
  return Status::Ok();
}

void Scheduler::Start(TaskIndex t, int cores, WorkerSlot& w) {
  StartOn(t, w.pool.Allocate(tasks_.spec(t).resources, cores), w, {});
}

void Scheduler::StartOn(TaskIndex t, Allocation a, WorkerSlot& w, std::vector<Member> members) {
  EventFacts facts;
  facts.allocation = &a;
  facts.worker = &w.name;
  Transition(t, TaskState::kRunning, "", facts);
  const uint32_t attempt = tasks_.record(t).attempts;
  const ExecutionId exec = MakeExecutionId(t, attempt);
  Running& r = running_[t];
  r = Running{};
  if (Preemptible(t)) ++preemptible_running_;
  r.execution = exec;
  r.worker = w.id;
  r.started = clock_->Now();
  ++w.running;
  ArmTimeLimit(t, r);
  if (const auto& c = tasks_.spec(t).checkpoint; c && c->every) {
    timers_.Add({r.started + *c->every, TimerKind::kCheckpoint, t, attempt});
  }
  ArmEndCheckpoint(t, r);
  LaunchOrder& launch = outbox_.launches.emplace_back();
  launch.worker = w.id;
  launch.execution = exec;
  launch.task = t;
  launch.attempt = attempt;
  launch.allocation = a;
  if (!members.empty()) {
    launch.nodes.push_back({w.id, w.name, a.cpus});
    for (const Member& m : members) {
      launch.nodes.push_back({m.worker, workers_.at(m.worker).name, m.allocation.cpus});
    }
  }
  r.allocation = std::move(a);
  r.members = std::move(members);
}

void Scheduler::ArmTimeLimit(TaskIndex t, Running& r) {
  r.limit_due.reset();
  const std::optional<Duration>& limit = tasks_.spec(t).time_limit;
  if (!limit) return;
  r.limit_due = r.started + r.paused_for + *limit;
  timers_.Add({*r.limit_due, TimerKind::kTimeLimit, t, AttemptOfExecution(r.execution)});
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
  LoseAttempt(t, reason, it->second.worker);
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
  if (Preemptible(t)) --preemptible_running_;
  ReleaseAllocation(r);
  // What it left running on its other nodes goes with it.
  for (const Member& m : r.members) outbox_.signals.push_back({m.worker, r.execution, SIGKILL});
  dirty_ = true;
  if (fair_share_) {
    fair_share_->Charge(ProjectOf(tasks_.spec(t)),
                        static_cast<double>(r.allocation.cpus.size() * (1 + r.members.size())) *
                            ToSeconds(reported.wall),
                        clock_->Now());
  }
  std::string why;
  if (r.preempting) {
    why = std::move(preempt_reasons_[t]);
    preempt_reasons_.erase(t);
  }

  if (auto asked = checkpoint_asked_.empty() ? checkpoint_asked_.end() : checkpoint_asked_.find(t);
      asked != checkpoint_asked_.end()) {
    if (reported.checkpointed) {
      // Learned for CheckpointLead; a longer one than any before arms the end timers earlier.
      const Duration took = clock_->Now() - asked->second;
      Duration& longest = checkpoint_took_[t];
      longest = std::max(longest, took);
      if (took > longest_checkpoint_) {
        longest_checkpoint_ = took;
        for (const auto& [other, o] : running_) ArmEndCheckpoint(other, o);
      }
    }
    checkpoint_asked_.erase(asked);
  }
  AttemptUsage usage = reported;
  usage.timed_out = usage.timed_out || r.timed_out;
  if (auto n = node_usage_.empty() ? node_usage_.end() : node_usage_.find(t);
      n != node_usage_.end()) {
    usage.user_cpu += n->second.user_cpu;
    usage.sys_cpu += n->second.sys_cpu;
    usage.max_rss_bytes = std::max(usage.max_rss_bytes, n->second.max_rss_bytes);
    usage.read_bytes += n->second.read_bytes;
    usage.write_bytes += n->second.write_bytes;
    usage.peak_cores += n->second.peak_cores;
    node_usage_.erase(n);
  }
  EventFacts ended;
  ended.usage = &usage;
  if (r.cancel_sent) {
    auto stopped = scenario_stop_reasons_.find(t);
    ended.by_user = stopped == scenario_stop_reasons_.end();
    Transition(t, TaskState::kCanceled,
               ended.by_user ? std::string("canceled while it ran") : stopped->second, ended);
    if (!ended.by_user) scenario_stop_reasons_.erase(stopped);
    SkipDescendants(t);
    return;
  }
  if (r.preempting) {
    // Preempted for higher-priority work (MaybePreempt), whatever it exited with: not a
    // failure, never a retry; it runs again (from its checkpoint, if it left one).
    if (tasks_.state(t) == TaskState::kPaused) Transition(t, TaskState::kRunning, "ended while paused");
    Transition(t, TaskState::kPreempted, why + CheckpointNote(usage), ended);
    Transition(t, TaskState::kReady,
               usage.checkpointed ? "runs again from its checkpoint" : "runs again");
    return;
  }
  if (r.stop_sent) {
    // Whatever it exited with, it was told to stop: a task that checkpoints and exits 0 on
    // SIGTERM has not finished its work.
    Transition(t, TaskState::kPreempted,
               "allot was stopped while it ran" + CheckpointNote(usage), ended);
    return;
  }
  if (const auto& c = tasks_.spec(t).checkpoint;
      c && launch_error.empty() && usage.term_signal == 0 && usage.exit_code == c->exit_code &&
      !usage.timed_out) {
    // "Checkpointed, restart me": not a failure and not a retry. Without a complete set it
    // counts as an interruption (the crash limit ends a task that never manages one).
    if (tasks_.state(t) == TaskState::kPaused) Transition(t, TaskState::kRunning, "ended while paused");
    Transition(t, TaskState::kPreempted,
               usage.checkpointed
                   ? "checkpointed" + CheckpointNote(usage)
                   : "exited with its checkpoint exit code " + std::to_string(c->exit_code) +
                         " but left no complete checkpoint" + CheckpointNote(usage),
               ended);
    if (tasks_.record(t).crashes > options_.crash_limit) {
      Fail(t, "interrupted " + std::to_string(tasks_.record(t).crashes) +
                  " times without a checkpoint (crash limit " +
                  std::to_string(options_.crash_limit) + ")",
           nullptr);
      return;
    }
    Transition(t, TaskState::kReady,
               usage.checkpointed ? "runs again from its checkpoint" : "runs again");
    return;
  }
  if (tasks_.state(t) == TaskState::kPaused) {
    // Killed from outside (or by the OOM killer) while stopped: it ran, and ended.
    Transition(t, TaskState::kRunning, "ended while paused");
  }
  const AttemptOutcome outcome = DecideOutcome(tasks_.spec(t), tasks_.record(t), usage,
                                               launch_error, r.allocation.memory_bytes,
                                               MemoryCap(t));
  switch (outcome.kind) {
    case OutcomeKind::kSucceed:
      Transition(t, TaskState::kSucceeded, "", ended);
      return;
    case OutcomeKind::kGrowMemory:
      ended.grown_memory = outcome.memory_bytes;
      Transition(t, TaskState::kReady, outcome.reason, ended);
      return;
    case OutcomeKind::kRetry:
      if (outcome.delay <= Duration(0)) {
        Transition(t, TaskState::kReady, outcome.reason, ended);
      } else {
        Transition(t, TaskState::kWaiting, outcome.reason, ended);
        timers_.Add({clock_->Now() + outcome.delay, TimerKind::kRetry, t,
                     tasks_.record(t).attempts});
      }
      return;
    case OutcomeKind::kFail:
      Fail(t, outcome.reason, &usage);
      return;
  }
}

std::string Scheduler::CheckpointNote(const AttemptUsage& usage) {
  if (usage.checkpoint.empty()) return "";
  Result<CheckpointReport> r = CheckpointReportFromJson(usage.checkpoint);
  if (!r.ok()) return "";
  std::string note;
  if (r->sealed) note += " (set " + std::to_string(r->sealed->set) + ")";
  if (!r->incomplete.empty()) note += " (its checkpoint was not kept: " + r->incomplete + ")";
  return note;
}

const std::string& Scheduler::ProjectOf(const TaskSpec& spec) {
  static const std::string kNone;
  auto it = spec.tags.find("project");
  return it == spec.tags.end() ? kNone : it->second;
}

void Scheduler::PushReady(TaskIndex t) {
  const TaskSpec& s = tasks_.spec(t);
  ready_.Push(t, s.priority);
  if (s.resources.nodes > 1) ready_gangs_.insert(t);
  if (fair_share_) {
    fair_share_->Add(ProjectOf(s));
    project_ready_[ProjectOf(s)].Push(t, s.priority);
  }
}

void Scheduler::EraseReady(TaskIndex t) {
  const TaskSpec& s = tasks_.spec(t);
  ready_.Erase(t, s.priority);
  if (!ready_gangs_.empty()) ready_gangs_.erase(t);
  if (fair_share_) {
    auto it = project_ready_.find(ProjectOf(s));
    if (it != project_ready_.end()) it->second.Erase(t, s.priority);
  }
}

void Scheduler::ApplyLearned(TaskIndex t) {
  TaskSpec& spec = tasks_.mutable_spec(t);
  const int64_t largest = spec.resources.memory_auto ? LargestWorkerMemory() : 0;
  learner_.Apply(&spec, tasks_.record(t).learn_estimate, largest);
}

bool Scheduler::Satisfies(TaskIndex dep) const {
  const TaskRecord& r = tasks_.record(dep);
  return r.state == TaskState::kSucceeded || (r.state == TaskState::kSkipped && r.skipped_by_user);
}

void Scheduler::Fail(TaskIndex t, std::string reason, const AttemptUsage* usage) {
  EventFacts facts;
  facts.usage = usage;
  Transition(t, TaskState::kFailed, std::move(reason), facts);
  SkipDescendants(t);
}

void Scheduler::SkipDescendants(TaskIndex failed) {
  std::deque<TaskIndex> queue{failed};
  while (!queue.empty()) {
    TaskIndex t = queue.front();
    queue.pop_front();
    for (TaskIndex d : graph_.dependents(t)) {
      TaskState s = tasks_.state(d);
      if (s != TaskState::kWaiting && s != TaskState::kReady && s != TaskState::kHeld) continue;
      Transition(d, TaskState::kSkipped,
                 "dependency '" + tasks_.id(t) + "' " +
                     std::string(TaskStateName(tasks_.state(t))));
      queue.push_back(d);
    }
  }
}

void Scheduler::OnTimersDue() {
  for (const Timer& timer : timers_.PopDue(clock_->Now())) OnTimer(timer);
}

void Scheduler::OnTimer(const Timer& timer) {
  const TaskRecord& rec = tasks_.record(timer.task);
  if (rec.attempts != timer.attempt) return;
  switch (timer.kind) {
    case TimerKind::kTimeLimit:
    case TimerKind::kKillAfterGrace: {
      auto it = running_.find(timer.task);
      if (it == running_.end()) return;
      Running& r = it->second;
      if (timer.kind == TimerKind::kTimeLimit) {
        // Paused (no due) or paused and resumed since (another due): not its limit yet.
        if (r.term_sent || r.limit_due != timer.due) return;
        r.timed_out = true;
        r.term_sent = true;
        Signal(r, SIGTERM);
        timers_.Add({clock_->Now() + tasks_.spec(timer.task).grace_period,
                     TimerKind::kKillAfterGrace, timer.task, timer.attempt});
      } else {
        Signal(r, SIGKILL);
      }
      return;
    }
    case TimerKind::kCheckpoint: {
      auto it = running_.find(timer.task);
      if (it == running_.end()) return;
      Running& r = it->second;
      const CheckpointSpec& c = *tasks_.spec(timer.task).checkpoint;
      // Paused: asked when it runs again (its running time is what `every` counts, near
      // enough); being stopped or canceled: asked already, or not wanted.
      if (!r.term_sent && rec.state == TaskState::kRunning) Signal(r, c.signal);
      timers_.Add({clock_->Now() + *c.every, TimerKind::kCheckpoint, timer.task, timer.attempt});
      return;
    }
    case TimerKind::kPreemptCheck:
      dirty_ = true;
      return;
    case TimerKind::kEndCheckpoint: {
      // Its last checkpoint before the allocation's end. The lead may have grown since the
      // timer was armed (a longer checkpoint was seen): then it is armed earlier as well.
      auto it = running_.find(timer.task);
      if (it == running_.end()) return;
      Running& r = it->second;
      auto w = workers_.find(r.worker);
      if (w == workers_.end()) return;
      std::optional<TimePoint> end = EndOf(w->second);
      if (!end || r.term_sent || r.end_checkpoint_sent || rec.state != TaskState::kRunning) return;
      if (clock_->Now() < *end - CheckpointLead(timer.task)) {
        timers_.Add({*end - CheckpointLead(timer.task), TimerKind::kEndCheckpoint, timer.task,
                     timer.attempt});
        return;
      }
      r.end_checkpoint_sent = true;
      Signal(r, tasks_.spec(timer.task).checkpoint->signal);
      return;
    }
    case TimerKind::kRetry:
      if (rec.state == TaskState::kWaiting && graph_.unmet(timer.task) == 0 && !stopping_) {
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
      // A checkpointing task is asked for its checkpoint, and has its checkpoint grace to
      // write it.
      AskToStop(t, r);
    }
  }
}

void Scheduler::Signal(const Running& r, int signal) {
  // An unattached attempt cannot be reached; AddWorker repeats a pending SIGTERM on attach.
  if (r.worker == kNoWorker) return;
  outbox_.signals.push_back({r.worker, r.execution, signal});
  for (const Member& m : r.members) outbox_.signals.push_back({m.worker, r.execution, signal});
  // A checkpoint asked for: how long it takes is learned when the attempt exits with one.
  const TaskIndex t = TaskOfExecution(r.execution);
  if (const auto& c = tasks_.spec(t).checkpoint; c && c->signal == signal) {
    checkpoint_asked_.try_emplace(t, clock_->Now());
  }
}

std::string Scheduler::DepResultsOf(TaskIndex t) const {
  std::vector<std::pair<std::string, std::string>> results;
  for (const std::string& dep : tasks_.spec(t).depends_on) {
    std::optional<TaskIndex> d = tasks_.Find(dep);
    if (!d) continue;
    if (const std::string* r = tasks_.result(*d)) results.emplace_back(dep, *r);
  }
  return results.empty() ? std::string() : DepResultsJson(results);
}

std::vector<std::string> Scheduler::InputsOf(TaskIndex t) const {
  std::vector<std::string> inputs;
  for (const std::string& dep : tasks_.spec(t).depends_on) {
    std::optional<TaskIndex> d = tasks_.Find(dep);
    if (!d) continue;
    if (const std::vector<std::string>* files = tasks_.outputs(*d)) {
      inputs.insert(inputs.end(), files->begin(), files->end());
    }
  }
  return inputs;
}

std::string Scheduler::WhyWaiting(TaskIndex t) const {
  switch (tasks_.state(t)) {
    case TaskState::kWaiting: {
      const uint32_t unmet = graph_.unmet(t);
      if (unmet == 0) return "retry backoff";
      std::string why = "waiting for";
      int shown = 0;
      for (const std::string& d : tasks_.spec(t).depends_on) {
        std::optional<TaskIndex> dep = tasks_.Find(d);
        if (!dep || tasks_.state(*dep) == TaskState::kSucceeded) continue;
        if (shown++ == 3) {
          why += " and " + std::to_string(unmet - 3) + " more";
          break;
        }
        why += (shown > 1 ? ", " : " ") + d + " (" +
               std::string(TaskStateName(tasks_.state(*dep))) + ")";
      }
      return why;
    }
    case TaskState::kReady:
      if (stopping_) return "allot is stopping";
      if (blocked_ && blocked_->task == t) return blocked_->reason;
      if (blocked_) return "queued behind '" + tasks_.id(blocked_->task) + "'";
      return "ready";
    case TaskState::kHeld:
      return "held (allot release " + tasks_.id(t) + ")";
    default:
      return "";
  }
}

}  // namespace allot
