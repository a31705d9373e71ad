// Scheduler: placement. Each scheduling pass offers every worker with free cores to the policy
// (core/policy/), in worker order, and starts what it chooses; the first task that cannot start
// anywhere says why ("why is my task waiting").
#include <algorithm>
#include <limits>

#include "core/scheduler.h"
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
      std::string never = NoWorkerFits(tasks_.spec(first).resources);
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
    if (r.worker != worker) continue;
    RunningView& v = views.emplace_back();
    v.held = Held(r.allocation);
    if (auto runtime = ExpectedRuntimeOf(t)) {
      // Time paused so far is not run time: it moves the end later.
      Duration paused = r.paused_for;
      if (r.paused_since) paused += clock_->Now() - *r.paused_since;
      v.expected_end = r.started + paused + *runtime;
    }
  }
  return views;
}

void Scheduler::ScheduleOn(WorkerId id, WorkerSlot& w, int* slots) {
  PolicyInput in;
  in.now = clock_->Now();
  in.ready = &ready_;
  in.spec = [this](TaskIndex t) -> const TaskSpec& { return tasks_.spec(t); };
  in.free = w.pool.free();
  if (!fixed_machine_) in.capacity = w.pool.Capacity();
  in.start_slots = *slots;
  in.running = [this, id] { return RunningOn(id); };
  in.expected = [this](TaskIndex t) { return ExpectedRuntimeOf(t); };
  in.ends_at = options_.ends_at;
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
  auto w = workers_.find(r.worker);
  if (w == workers_.end()) return;
  w->second.pool.Release(r.allocation);
  --w->second.running;
}

}  // namespace allot
