#include "core/forecast/list_schedule_simulator.h"

#include <algorithm>
#include <cassert>
#include <functional>
#include <numeric>
#include <string>

#include "common/units.h"

namespace allot {
namespace {

bool Later(const auto& a, const auto& b) {
  return a.end_us != b.end_us ? a.end_us > b.end_us : a.task > b.task;
}

Status Bad(size_t task, const std::string& what) {
  return Status::InvalidArgument("forecast task " + std::to_string(task) + ": " + what);
}

}  // namespace

Result<ListScheduleSimulator> ListScheduleSimulator::Create(const ForecastInput& input) {
  ListScheduleSimulator sim;
  const std::vector<ForecastTask>& tasks = input.tasks;
  const size_t n = tasks.size();
  if (n > static_cast<size_t>(INT32_MAX)) return Status::InvalidArgument("too many tasks");
  if (n > 0 && input.workers.empty()) return Status::InvalidArgument("forecast: no workers");

  for (const ForecastWorker& w : input.workers) sim.capacity_.push_back(std::max(0, w.cores));
  while (sim.leaves_ < sim.capacity_.size()) sim.leaves_ *= 2;
  sim.tree_.assign(2 * sim.leaves_, 0);
  sim.free_.assign(sim.capacity_.size(), 0);
  for (size_t w = 0; w < sim.capacity_.size(); ++w)
    sim.SetFree(static_cast<int>(w), sim.capacity_[w]);
  const int largest = sim.MaxFree();

  sim.cores_.resize(n);
  sim.initial_waiting_.assign(n, 0);
  sim.dependents_start_.assign(n + 1, 0);
  std::vector<int> free = sim.capacity_;
  for (size_t t = 0; t < n; ++t) {
    const ForecastTask& task = tasks[t];
    sim.cores_[t] = std::max(0, task.cores);
    if (task.state == ForecastTaskState::kRunning) {
      int w = task.worker;
      if (w < 0) {
        auto it = std::find_if(free.begin(), free.end(), [&](int f) { return f >= sim.cores_[t]; });
        if (it == free.end()) return Bad(t, "running, but fits on no worker");
        w = static_cast<int>(it - free.begin());
      } else if (static_cast<size_t>(w) >= free.size()) {
        return Bad(t, "running on worker " + std::to_string(w) + ", which does not exist");
      } else if (free[w] < sim.cores_[t]) {
        return Bad(t, "running on worker " + std::to_string(w) + ", which has too few cores left");
      }
      free[w] -= sim.cores_[t];
      sim.running_.push_back(static_cast<int32_t>(t));
      sim.running_worker_.push_back(w);
      continue;
    }
    if (sim.cores_[t] > largest) {
      return Bad(t, "needs " + Counted(sim.cores_[t], "core") + "; the largest worker has " +
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
    if (tasks[t].state == ForecastTaskState::kRunning) continue;
    for (int32_t d : tasks[t].deps) sim.dependents_[fill[d]++] = static_cast<int32_t>(t);
  }

  // Cycles: Kahn's algorithm, running tasks and dependency-free queued tasks first.
  {
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
  }

  sim.order_.resize(n);
  std::iota(sim.order_.begin(), sim.order_.end(), 0);
  std::stable_sort(sim.order_.begin(), sim.order_.end(),
                   [&](int32_t a, int32_t b) { return tasks[a].priority > tasks[b].priority; });
  sim.rank_.resize(n);
  for (size_t r = 0; r < n; ++r) sim.rank_[sim.order_[r]] = static_cast<uint32_t>(r);

  for (size_t t = 0; t < n; ++t) {
    if (tasks[t].state == ForecastTaskState::kQueued) sim.bucket_cores_.push_back(sim.cores_[t]);
  }
  std::sort(sim.bucket_cores_.begin(), sim.bucket_cores_.end());
  sim.bucket_cores_.erase(std::unique(sim.bucket_cores_.begin(), sim.bucket_cores_.end()),
                          sim.bucket_cores_.end());
  sim.bucket_.assign(n, -1);
  for (size_t t = 0; t < n; ++t) {
    if (tasks[t].state != ForecastTaskState::kQueued) continue;
    sim.bucket_[t] = static_cast<int32_t>(
        std::lower_bound(sim.bucket_cores_.begin(), sim.bucket_cores_.end(), sim.cores_[t]) -
        sim.bucket_cores_.begin());
  }
  sim.ready_.resize(sim.bucket_cores_.size());
  return sim;
}

void ListScheduleSimulator::SetFree(int worker, int cores) {
  free_[worker] = cores;
  size_t i = leaves_ + static_cast<size_t>(worker);
  tree_[i] = worker == reserved_worker_ ? cores - reserved_cores_ : cores;
  for (i /= 2; i >= 1; i /= 2) tree_[i] = std::max(tree_[2 * i], tree_[2 * i + 1]);
}

int ListScheduleSimulator::FirstFit(int cores) const {
  size_t i = 1;
  while (i < leaves_) i = tree_[2 * i] >= cores ? 2 * i : 2 * i + 1;
  return static_cast<int>(i - leaves_);
}

void ListScheduleSimulator::Start(int32_t task, int worker, int64_t now, int64_t duration_us) {
  worker_of_[task] = worker;
  SetFree(worker, free_[worker] - cores_[task]);
  core_seconds_ += static_cast<double>(cores_[task]) * static_cast<double>(duration_us) * 1e-6;
  events_.push_back({now + duration_us, task});
  std::push_heap(events_.begin(), events_.end(), [](auto& a, auto& b) { return Later(a, b); });
}

void ListScheduleSimulator::StartReady(int64_t now, const std::vector<int64_t>& durations_us) {
  // Steps 3 and 4: the best-ranked ready task of any size first; once it does not fit, it
  // reserves, and the best-ranked task among those that fit goes next.
  bool reserved = false;
  for (;;) {
    int best = -1;
    uint32_t best_rank = UINT32_MAX;
    if (!reserved) {
      for (size_t b = 0; b < bucket_cores_.size(); ++b) {
        if (!ready_[b].empty() && ready_[b].front() < best_rank) {
          best = static_cast<int>(b);
          best_rank = ready_[b].front();
        }
      }
      if (best < 0) return;
      if (bucket_cores_[best] > MaxFree()) {
        int worker = FirstFit(MaxFree());
        reserved_worker_ = worker;
        reserved_cores_ = free_[worker];  // all of it: the head needs more than any has
        SetFree(worker, free_[worker]);
        reserved = true;
        continue;
      }
    } else {
      const int max_free = MaxFree();
      for (size_t b = 0; b < bucket_cores_.size() && bucket_cores_[b] <= max_free; ++b) {
        if (!ready_[b].empty() && ready_[b].front() < best_rank) {
          best = static_cast<int>(b);
          best_rank = ready_[b].front();
        }
      }
      if (best < 0) break;
    }
    std::pop_heap(ready_[best].begin(), ready_[best].end(), std::greater<>());
    ready_[best].pop_back();
    int32_t task = order_[best_rank];
    Start(task, FirstFit(cores_[task]), now, durations_us[task]);
  }
  int worker = reserved_worker_;
  reserved_worker_ = -1;
  reserved_cores_ = 0;
  SetFree(worker, free_[worker]);
}

ListScheduleSimulator::Outcome ListScheduleSimulator::Run(
    const std::vector<int64_t>& durations_us) {
  assert(durations_us.size() == cores_.size());
  const size_t n = cores_.size();
  for (size_t w = 0; w < capacity_.size(); ++w) SetFree(static_cast<int>(w), capacity_[w]);
  waiting_ = initial_waiting_;
  worker_of_.assign(n, -1);
  for (auto& heap : ready_) heap.clear();
  events_.clear();
  core_seconds_ = 0;

  auto later = [](const Event& a, const Event& b) { return Later(a, b); };
  auto make_ready = [&](int32_t t) {
    std::vector<uint32_t>& heap = ready_[bucket_[t]];
    heap.push_back(rank_[t]);
    std::push_heap(heap.begin(), heap.end(), std::greater<>());
  };
  for (size_t i = 0; i < running_.size(); ++i) {
    Start(running_[i], running_worker_[i], 0, durations_us[running_[i]]);
  }
  for (size_t t = 0; t < n; ++t) {
    if (bucket_[t] >= 0 && waiting_[t] == 0) make_ready(static_cast<int32_t>(t));
  }
  StartReady(0, durations_us);

  int64_t now = 0;
  while (!events_.empty()) {
    now = events_.front().end_us;
    while (!events_.empty() && events_.front().end_us == now) {
      int32_t t = events_.front().task;
      std::pop_heap(events_.begin(), events_.end(), later);
      events_.pop_back();
      int w = worker_of_[t];
      SetFree(w, free_[w] + cores_[t]);
      for (int32_t i = dependents_start_[t]; i < dependents_start_[t + 1]; ++i) {
        if (--waiting_[dependents_[i]] == 0) make_ready(dependents_[i]);
      }
    }
    StartReady(now, durations_us);
  }
  return Outcome{now, core_seconds_};
}

}  // namespace allot
