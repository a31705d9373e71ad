// Scheduler: placement. Each scheduling pass offers every worker with free cores to the policy
// (core/policy/), in worker order, and starts what it chooses; the first task that cannot start
// anywhere says why ("why is my task waiting").
#include <algorithm>
#include <csignal>
#include <limits>

#include "core/scheduler.h"
#include "common/units.h"
#include "model/machine_fit.h"

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

}  // namespace

void Scheduler::Schedule() {
  if (stopping_ || !dirty_) return;
  if (board_ != nullptr && scenario_indexed_ < tasks_.size()) IndexScenarios();
  dirty_ = false;
  blocked_.reset();
  if (ready_.empty()) {
    head_waiting_.reset();
    return;
  }
  const TaskIndex head = ReadyQueue::TaskOf(*ready_.begin());
  int slots = options_.max_running > 0
                  ? std::max(0, options_.max_running - static_cast<int>(running_.size()))
                  : std::numeric_limits<int>::max();
  if (slots == 0 || workers_.empty()) {
    blocked_ = Blocked{head, slots == 0 ? "the limit on running tasks (--max-workers) is reached"
                                        : "no worker is connected"};
    head_waiting_.reset();
    return;
  }
  PlanGangs();
  bool any_free = false;
  for (auto& [id, w] : workers_) {
    if (slots <= 0 || ready_.empty()) break;
    if (w.draining || w.pool.free().cores <= 0) continue;
    any_free = true;
    ScheduleOn(id, w, &slots);
  }
  StartGangs(&slots);
  if (!ready_.empty() && !blocked_) {
    const TaskIndex first = ReadyQueue::TaskOf(*ready_.begin());
    if (!fixed_machine_) {
      std::string never = NoWorkerFits(tasks_.spec(first).resources, tasks_.spec(first).executor);
      if (!never.empty()) {
        blocked_ = Blocked{first, never};
        head_waiting_.reset();
        return;
      }
    }
    blocked_ = Blocked{first, slots <= 0 ? "the limit on running tasks (--max-workers) is reached"
                              : any_free ? "waiting for resources"
                                         : "all cores are busy"};
  }
  // Whatever the policy or this pass said: a task waits for resources.
  if (blocked_ && slots > 0) return MaybePreempt(blocked_->task);
  head_waiting_.reset();
}

void Scheduler::MaybePreempt(TaskIndex head) {
  if (!options_.preempt_after) return;
  const TimePoint now = clock_->Now();
  const TaskSpec& want = tasks_.spec(head);
  if (want.resources.nodes > 1) return;  // multi-node tasks do not preempt (scheduler_gang.cc)
  if (!head_waiting_ || head_waiting_->priority != want.priority) {
    head_waiting_ = HeadWaiting{want.priority, now, head, false};
  }
  const Duration waited = now - head_waiting_->since;
  if (waited < *options_.preempt_after) {
    // A check when this work will have waited long enough (tied to the head's attempt: a new
    // head of the same priority gets its own), once something preemptible runs.
    if (preemptible_running_ > 0 &&
        (!head_waiting_->timer_set || head_waiting_->checked_for != head)) {
      head_waiting_->checked_for = head;
      head_waiting_->timer_set = true;
      timers_.Add({head_waiting_->since + *options_.preempt_after, TimerKind::kPreemptCheck, head,
                   tasks_.record(head).attempts});
    }
    return;
  }
  if (preemptible_running_ == 0) return;
  // Preemptions under way for it: wait for them (their resources come back as they exit).
  for (const auto& [t, r] : running_) {
    if (r.preempting) return;
  }
  // The soonest a preemptible attempt too young now (min_runtime) may be preempted: checked again
  // then.
  std::optional<TimePoint> next_check;
  for (auto& [id, w] : workers_) {
    if (w.draining || w.pool.machine().executor != want.executor ||
        !w.pool.CouldEverFit(want.resources)) {
      continue;
    }
    // Lowest priority first, then the youngest (the least work to lose).
    std::vector<std::pair<TaskIndex, Running*>> candidates;
    for (auto& [t, r] : running_) {
      if (r.worker != id || r.term_sent || r.cancel_sent) continue;
      const TaskSpec& s = tasks_.spec(t);
      if (!s.preemptible || s.is_protected || s.priority >= want.priority) continue;
      if (tasks_.state(t) != TaskState::kRunning) continue;
      if (now - r.started - r.paused_for < s.min_runtime) {
        const TimePoint old_enough = r.started + r.paused_for + s.min_runtime;
        if (!next_check || old_enough < *next_check) next_check = old_enough;
        continue;
      }
      candidates.emplace_back(t, &r);
    }
    std::sort(candidates.begin(), candidates.end(), [&](const auto& a, const auto& b) {
      const int pa = tasks_.spec(a.first).priority, pb = tasks_.spec(b.first).priority;
      if (pa != pb) return pa < pb;
      if (a.second->started != b.second->started) return a.second->started > b.second->started;
      return a.first > b.first;
    });
    ResourceAmounts avail = w.pool.free();
    size_t n = 0;
    while (n < candidates.size() &&
           !ResourcePool::FitsIn(want.resources, want.resources.cores.min, avail)) {
      const ResourceAmounts held = Held(candidates[n].second->allocation);
      avail.cores += held.cores;
      avail.memory_bytes += held.memory_bytes;
      avail.gpus += held.gpus;
      for (const auto& [name, amount] : held.custom) avail.custom[name] += amount;
      ++n;
    }
    if (!ResourcePool::FitsIn(want.resources, want.resources.cores.min, avail)) continue;
    for (size_t i = 0; i < n; ++i) {
      auto [t, r] = candidates[i];
      r->preempting = true;
      preempt_reasons_[t] = "preempted for '" + tasks_.id(head) + "' (priority " +
                         std::to_string(want.priority) + " > " +
                         std::to_string(tasks_.spec(t).priority) + ", it waited " +
                         FormatDuration(waited) + ")";
      AskToStop(t, *r);
    }
    return;
  }
  if (next_check) {
    timers_.Add({*next_check, TimerKind::kPreemptCheck, head, tasks_.record(head).attempts});
  }
}

void Scheduler::AskToStop(TaskIndex t, Running& r) {
  const auto& c = tasks_.spec(t).checkpoint;
  if (!r.term_sent) Signal(r, c ? c->signal : SIGTERM);
  if (tasks_.state(t) == TaskState::kPaused) Signal(r, SIGCONT);
  r.term_sent = true;
  timers_.Add({clock_->Now() + (c ? c->grace : tasks_.spec(t).grace_period),
               TimerKind::kKillAfterGrace, t, tasks_.record(t).attempts});
}

std::optional<Duration> Scheduler::ExpectedRuntimeOf(TaskIndex t) {
  // Tasks queued before their profile had history learn late: here, when it matters. (A
  // running attempt keeps what it started with: its memory request must not change.)
  const TaskRecord& r = tasks_.record(t);
  if (r.state == TaskState::kReady && r.learn_estimate && !tasks_.spec(t).time_estimate) {
    ApplyLearned(t);
  }
  std::optional<Duration> expected = ExpectedRuntime(tasks_.spec(t));
  // Nothing declared and nothing learned for its profile yet: what the campaign's attempts
  // say (ProfileLearner::PooledEstimate), so that a campaign whose tasks share no profile
  // still backfills instead of leaving cores idle in front of every wide task.
  if (!expected && r.learn_estimate) expected = learner_.PooledEstimate();
  return expected;
}

std::vector<RunningView> Scheduler::RunningOn(WorkerId worker) {
  std::vector<RunningView> views;
  for (const auto& [t, r] : running_) {
    const Allocation* held = r.worker == worker ? &r.allocation : nullptr;
    for (const Member& m : r.members) {
      if (m.worker == worker) held = &m.allocation;
    }
    if (held == nullptr) continue;
    RunningView& v = views.emplace_back();
    v.held = Held(*held);
    if (auto runtime = ExpectedRuntimeOf(t)) {
      // Time paused so far is not run time: it moves the end later.
      Duration paused = r.paused_for;
      if (r.paused_since) paused += clock_->Now() - *r.paused_since;
      v.expected_end = r.started + paused + *runtime;
    }
  }
  return views;
}

PolicyInput Scheduler::PolicyInputFor(WorkerId id, WorkerSlot& w, int slots) {
  PolicyInput in;
  in.now = clock_->Now();
  in.ready = &ready_;
  in.spec = [this](TaskIndex t) -> const TaskSpec& { return tasks_.spec(t); };
  in.free = w.pool.free();
  if (!fixed_machine_) in.capacity = w.pool.Capacity();
  in.start_slots = slots;
  in.running = [this, id] { return RunningOn(id); };
  in.expected = [this](TaskIndex t) { return ExpectedRuntimeOf(t); };
  in.ends_at = EndOf(w);
  in.executor = w.pool.machine().executor;
  in.gang_here = [this, id](TaskIndex t) {
    auto it = gang_targets_.find(t);
    return it != gang_targets_.end() &&
           std::find(it->second.begin(), it->second.end(), id) != it->second.end();
  };
  if (in.ends_at && longest_checkpoint_ > Duration(0)) {
    in.end_lead = [this](TaskIndex t) { return CheckpointLead(t); };
  }
  return in;
}

std::map<std::string, double> Scheduler::CommittedUsage() {
  std::map<std::string, double> committed;
  const TimePoint now = clock_->Now();
  for (const auto& [t, r] : running_) {
    Duration ran = now - r.started - r.paused_for;
    if (r.paused_since) ran -= now - *r.paused_since;
    Duration length = ran;
    if (std::optional<Duration> expected = ExpectedRuntimeOf(t); expected && *expected > ran) {
      length = *expected;
    }
    committed[ProjectOf(tasks_.spec(t))] +=
        static_cast<double>(r.allocation.cpus.size() * (1 + r.members.size())) *
        ToSeconds(length);
  }
  return committed;
}

std::vector<ProjectShare> Scheduler::FairShareTable() const {
  if (!fair_share_) return {};
  return fair_share_->Table(clock_->Now(),
                            const_cast<Scheduler*>(this)->CommittedUsage());
}

void Scheduler::ScheduleFairlyOn(WorkerId id, WorkerSlot& w, int* slots) {
  std::map<std::string, double> committed = CommittedUsage();
  const TimePoint now = clock_->Now();
  while (*slots > 0 && w.pool.free().cores > 0) {
    std::map<std::string, double> factor;
    for (const ProjectShare& p : fair_share_->Table(now, committed)) factor[p.project] = p.factor;
    std::vector<std::pair<const std::string*, ReadyQueue*>> order;
    for (auto& [project, q] : project_ready_) {
      if (!q.empty()) order.emplace_back(&project, &q);
    }
    std::sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
      const uint32_t pa = ReadyQueue::PriorityKeyOf(*a.second->begin());
      const uint32_t pb = ReadyQueue::PriorityKeyOf(*b.second->begin());
      if (pa != pb) return pa < pb;  // higher priority first
      const double fa = factor[*a.first], fb = factor[*b.first];
      if (fa != fb) return fa > fb;
      return *a.first < *b.first;
    });
    bool started = false;
    for (const auto& [project, q] : order) {
      PolicyInput in = PolicyInputFor(id, w, 1);
      in.ready = q;
      choices_.clear();
      std::optional<Blocked> blocked;
      policy_->Choose(in, &choices_, &blocked);
      if (blocked && !blocked_) blocked_ = std::move(blocked);
      // Under fair share a multi-node task is held one worker at a time like a start, and its
      // share is not kept from the projects after it in this worker's turn.
      for (const Choice& c : choices_) {
        if (c.hold) NoteHold(c.task, id);
      }
      std::erase_if(choices_, [](const Choice& c) { return c.hold; });
      if (choices_.empty()) continue;
      const Choice c = choices_.front();
      Start(c.task, c.cores, w);
      --*slots;
      std::optional<Duration> expected = ExpectedRuntimeOf(c.task);
      committed[*project] += c.cores * ToSeconds(expected.value_or(std::chrono::seconds(1)));
      started = true;
      break;
    }
    if (!started) break;
  }
}

void Scheduler::ScheduleOn(WorkerId id, WorkerSlot& w, int* slots) {
  if (fair_share_) return ScheduleFairlyOn(id, w, slots);
  PolicyInput in = PolicyInputFor(id, w, *slots);
  choices_.clear();
  std::optional<Blocked> blocked;
  policy_->Choose(in, &choices_, &blocked);
  for (const Choice& c : choices_) {
    if (c.hold) {
      NoteHold(c.task, id);
      continue;
    }
    Start(c.task, c.cores, w);
    --*slots;
  }
  if (blocked && !blocked_) blocked_ = std::move(blocked);
}

std::string Scheduler::NoWorkerFits(const ResourceRequest& r, const std::string& executor) const {
  bool any_of_executor = false;
  if (r.nodes > 1) {
    const int fit = NodesThatFit(r);
    if (fit >= r.nodes) return "";
    if (fit > 0) {
      return "needs " + Counted(r.nodes, "node") + " that can each fit its share; " +
             std::to_string(fit) + " of the connected workers (not draining) can";
    }
  }
  for (const auto& [id, w] : workers_) {
    if (w.pool.machine().executor != executor) continue;
    any_of_executor = true;
    if (w.pool.CouldEverFit(r)) return "";
  }
  if (!any_of_executor) {
    return executor.empty()
               ? "no connected worker runs tasks itself (every one is an --executor worker)"
               : "no connected worker runs 'executor: " + executor +
                     "' tasks (start one with `allot worker start --executor " + executor + "`)";
  }
  ResourceAmounts best;
  for (const auto& [id, w] : workers_) {
    if (w.pool.machine().executor != executor) continue;
    ResourceAmounts c = w.pool.Capacity();
    best.cores = std::max(best.cores, c.cores);
    best.memory_bytes = std::max(best.memory_bytes, c.memory_bytes);
    best.gpus = std::max(best.gpus, c.gpus);
    for (const auto& [name, n] : c.custom) best.custom[name] = std::max(best.custom[name], n);
  }
  std::vector<std::string> why = WhyNeverFits(r, best, "the largest worker");
  return "no connected worker can ever fit it: " + (why.empty() ? "?" : why.front());
}

int64_t Scheduler::LargestWorkerMemory() const {
  int64_t largest = 0;
  for (const auto& [id, w] : workers_) {
    largest = std::max(largest, w.pool.Capacity().memory_bytes);
  }
  return largest;
}

int64_t Scheduler::MemoryCap(TaskIndex t) const {
  const int64_t largest = LargestWorkerMemory();
  const int64_t cap = tasks_.spec(t).memory_max_bytes;
  if (cap <= 0) return largest;  // memory: auto without memory_max
  return workers_.empty() ? cap : std::min(cap, largest);
}

void Scheduler::ReleaseAllocation(const Running& r) {
  auto release = [this](WorkerId id, const Allocation& a) {
    auto w = workers_.find(id);
    if (w == workers_.end()) return;
    w->second.pool.Release(a);
    --w->second.running;
  };
  release(r.worker, r.allocation);
  for (const Member& m : r.members) release(m.worker, m.allocation);
}

}  // namespace allot
