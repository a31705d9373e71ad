#include "core/forecast/policy_simulator.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <string>

#include "common/units.h"
#include "core/policy/priority_backfill_policy.h"
#include "core/resource_pool.h"

namespace allot {
namespace {

// Memory is not simulated: every worker has more than any task asks for (tasks ask none).
constexpr int64_t kAmpleMemory = int64_t{1} << 60;

bool Later(const auto& a, const auto& b) {
  return a.end_us != b.end_us ? a.end_us > b.end_us : a.task > b.task;
}

Status Bad(size_t task, const std::string& what) {
  return Status::InvalidArgument("forecast task " + std::to_string(task) + ": " + what);
}

TimePoint At(int64_t us) { return TimePoint(Duration(us)); }

ResourceAmounts Cores(int cores) {
  ResourceAmounts a;
  a.cores = cores;
  a.memory_bytes = kAmpleMemory;
  return a;
}

}  // namespace

Result<PolicySimulator> PolicySimulator::Create(const ForecastInput& input,
                                                std::vector<std::optional<Duration>> estimates,
                                                PolicyFactory policy) {
  PolicySimulator sim;
  const std::vector<ForecastTask>& tasks = input.tasks;
  const size_t n = tasks.size();
  if (n > static_cast<size_t>(INT32_MAX)) return Status::InvalidArgument("too many tasks");
  if (n > 0 && input.workers.empty()) return Status::InvalidArgument("forecast: no workers");
  if (!estimates.empty() && estimates.size() != n) {
    return Status::InvalidArgument("forecast: one estimate per task");
  }
  if (policy) {
    sim.make_policy_ = std::move(policy);
  } else {
    sim.make_policy_ = [depth = input.backfill_depth, patience = input.backfill_patience] {
      return std::make_unique<PriorityBackfillPolicy>(depth, std::max(0.0, patience));
    };
  }
  sim.max_running_ = std::max(0, input.max_running);
  for (const ForecastWorker& w : input.workers) sim.capacity_.push_back(std::max(0, w.cores));
  const int largest =
      sim.capacity_.empty() ? 0 : *std::max_element(sim.capacity_.begin(), sim.capacity_.end());

  sim.specs_.resize(n);
  sim.running_at_start_.assign(n, false);
  sim.elapsed_us_.assign(n, 0);
  sim.initial_worker_.assign(n, -1);
  sim.initial_waiting_.assign(n, 0);
  sim.dependents_start_.assign(n + 1, 0);
  std::vector<int> free = sim.capacity_;
  for (size_t t = 0; t < n; ++t) {
    const ForecastTask& task = tasks[t];
    TaskSpec& spec = sim.specs_[t];
    const int cores = std::max(0, task.cores);
    spec.resources.cores = {cores, std::max(cores, task.cores_max)};
    spec.priority = task.priority;
    spec.time_estimate = estimates.empty() ? task.time_estimate : estimates[t];
    spec.time_limit = task.time_limit;
    if (task.state == ForecastTaskState::kRunning) {
      int w = task.worker;
      if (w < 0) {
        auto it = std::find_if(free.begin(), free.end(), [&](int f) { return f >= cores; });
        if (it == free.end()) return Bad(t, "running, but fits on no worker");
        w = static_cast<int>(it - free.begin());
      } else if (static_cast<size_t>(w) >= free.size()) {
        return Bad(t, "running on worker " + std::to_string(w) + ", which does not exist");
      } else if (free[w] < cores) {
        return Bad(t, "running on worker " + std::to_string(w) + ", which has too few cores left");
      }
      free[w] -= cores;
      sim.running_at_start_[t] = true;
      sim.elapsed_us_[t] = std::max<int64_t>(0, task.elapsed.count());
      sim.initial_worker_[t] = w;
      continue;
    }
    if (cores > largest) {
      return Bad(t, "needs " + Counted(cores, "core") + "; the largest worker has " +
                        std::to_string(largest));
    }
    for (int32_t d : task.deps) {
      if (d < 0 || static_cast<size_t>(d) >= n) return Bad(t, "dependency index out of range");
      if (static_cast<size_t>(d) == t) return Bad(t, "depends on itself");
      ++sim.initial_waiting_[t];
      ++sim.dependents_start_[d + 1];
    }
  }
  std::partial_sum(sim.dependents_start_.begin(), sim.dependents_start_.end(),
                   sim.dependents_start_.begin());
  sim.dependents_.resize(sim.dependents_start_[n]);
  std::vector<int32_t> fill(sim.dependents_start_.begin(), sim.dependents_start_.end() - 1);
  for (size_t t = 0; t < n; ++t) {
    if (sim.running_at_start_[t]) continue;
    for (int32_t d : tasks[t].deps) sim.dependents_[fill[d]++] = static_cast<int32_t>(t);
  }

  // Cycles: Kahn's algorithm, running tasks and dependency-free queued tasks first.
  std::vector<int32_t> waiting = sim.initial_waiting_;
  std::vector<int32_t> stack;
  for (size_t t = 0; t < n; ++t) {
    if (waiting[t] == 0) stack.push_back(static_cast<int32_t>(t));
  }
  size_t reached = 0;
  while (!stack.empty()) {
    int32_t t = stack.back();
    stack.pop_back();
    ++reached;
    for (int32_t i = sim.dependents_start_[t]; i < sim.dependents_start_[t + 1]; ++i) {
      if (--waiting[sim.dependents_[i]] == 0) stack.push_back(sim.dependents_[i]);
    }
  }
  if (reached != n) {
    for (size_t t = 0; t < n; ++t) {
      if (waiting[t] > 0) return Bad(t, "is part of a dependency cycle (or waits on one)");
    }
  }
  sim.worker_of_.assign(n, -1);
  sim.held_.assign(n, 0);
  sim.start_us_.assign(n, 0);
  return sim;
}

std::vector<RunningView> PolicySimulator::RunningOn(int worker) const {
  std::vector<RunningView> views;
  views.reserve(on_worker_[worker].size());
  for (int32_t t : on_worker_[worker]) {
    RunningView& v = views.emplace_back();
    v.held = Cores(held_[t]);
    v.held.memory_bytes = 0;
    if (auto runtime = ExpectedRuntime(specs_[t])) v.expected_end = At(start_us_[t]) + *runtime;
  }
  return views;
}

void PolicySimulator::Start(int32_t task, int cores, int worker, int64_t start_us,
                            int64_t duration_us) {
  free_[worker] -= cores;
  worker_of_[task] = worker;
  held_[task] = cores;
  start_us_[task] = start_us;
  on_worker_[worker].push_back(task);
  ++running_;
  const int64_t end = std::max<int64_t>(0, start_us + duration_us);
  events_.push_back({end, task});
  std::push_heap(events_.begin(), events_.end(), [](auto& a, auto& b) { return Later(a, b); });
}

void PolicySimulator::SchedulePass(int64_t now, const std::vector<int64_t>& durations_us) {
  if (ready_.empty()) return;
  int slots = max_running_ > 0 ? std::max(0, max_running_ - static_cast<int>(running_))
                               : std::numeric_limits<int>::max();
  for (size_t w = 0; w < capacity_.size(); ++w) {
    if (slots <= 0 || ready_.empty()) break;
    if (free_[w] <= 0) continue;
    const int worker = static_cast<int>(w);
    PolicyInput in;
    in.now = At(now);
    in.ready = &ready_;
    in.spec = [this](TaskIndex t) -> const TaskSpec& { return specs_[t]; };
    in.free = Cores(free_[w]);
    in.capacity = Cores(capacity_[w]);
    in.start_slots = slots;
    in.running = [this, worker] { return RunningOn(worker); };
    choices_.clear();
    std::optional<Blocked> blocked;
    policy_->Choose(in, &choices_, &blocked);
    for (const Choice& c : choices_) {
      const int32_t t = static_cast<int32_t>(c.task);
      ready_.Erase(c.task, specs_[t].priority);
      // The duration is drawn for the task, not for its cores (no speed-up is modelled), so
      // an elastic task that got more cores holds them all for as long.
      Start(t, c.cores, worker, now, durations_us[t]);
      core_seconds_ += c.cores * static_cast<double>(durations_us[t]) / 1e6;
    }
    slots -= static_cast<int>(choices_.size());
  }
}

PolicySimulator::Outcome PolicySimulator::Run(const std::vector<int64_t>& durations_us) {
  const size_t n = specs_.size();
  policy_ = make_policy_();
  ready_ = ReadyQueue();
  free_ = capacity_;
  on_worker_.assign(capacity_.size(), {});
  waiting_ = initial_waiting_;
  events_.clear();
  running_ = 0;
  core_seconds_ = 0;
  for (size_t t = 0; t < n; ++t) {
    const int32_t task = static_cast<int32_t>(t);
    if (running_at_start_[t]) {
      const int cores = specs_[t].resources.cores.min;
      Start(task, cores, initial_worker_[t], -elapsed_us_[t], elapsed_us_[t] + durations_us[t]);
      core_seconds_ += cores * static_cast<double>(durations_us[t]) / 1e6;
    } else if (waiting_[t] == 0) {
      ready_.Push(static_cast<TaskIndex>(t), specs_[t].priority);
    }
  }
  int64_t now = 0;
  auto later = [](auto& a, auto& b) { return Later(a, b); };
  while (true) {
    SchedulePass(now, durations_us);
    if (events_.empty()) break;  // done (or, impossible after Create, nothing can start)
    now = events_.front().end_us;
    while (!events_.empty() && events_.front().end_us == now) {
      std::pop_heap(events_.begin(), events_.end(), later);
      const int32_t t = events_.back().task;
      events_.pop_back();
      const int w = worker_of_[t];
      free_[w] += held_[t];
      std::vector<int32_t>& on = on_worker_[w];
      on.erase(std::find(on.begin(), on.end(), t));
      --running_;
      for (int32_t i = dependents_start_[t]; i < dependents_start_[t + 1]; ++i) {
        const int32_t d = dependents_[i];
        if (--waiting_[d] == 0) ready_.Push(static_cast<TaskIndex>(d), specs_[d].priority);
      }
    }
  }
  return Outcome{now, core_seconds_};
}

}  // namespace allot
