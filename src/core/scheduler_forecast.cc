// Scheduler: the unfinished work as a forecast input (core/forecast), for a live ETA.
#include <unordered_map>

#include "core/scheduler.h"
#include "model/task_profile.h"

namespace allot {

ForecastInput Scheduler::ForecastSnapshot() const {
  ForecastInput input;
  input.max_running = options_.max_running;
  input.backfill_depth = options_.backfill_depth;
  input.backfill_patience = options_.backfill_patience;
  std::unordered_map<WorkerId, int> worker_index;
  for (const auto& [id, slot] : workers_) {
    worker_index[id] = static_cast<int>(input.workers.size());
    input.workers.push_back({slot.pool.Capacity().cores});
  }
  // Forecast index of each unfinished task; -1 for the others.
  std::vector<int32_t> index(tasks_.size(), -1);
  std::vector<TaskIndex> unfinished;
  for (TaskIndex t = 0; t < tasks_.size(); ++t) {
    if (IsTerminal(tasks_.state(t)) || !tasks_.has_spec(t)) continue;
    index[t] = static_cast<int32_t>(unfinished.size());
    unfinished.push_back(t);
  }
  const TimePoint now = clock_->Now();
  input.tasks.resize(unfinished.size());
  for (size_t i = 0; i < unfinished.size(); ++i) {
    const TaskIndex t = unfinished[i];
    const TaskSpec& spec = tasks_.spec(t);
    ForecastTask& f = input.tasks[i];
    f.profile = TaskProfileName(spec);
    f.cores = spec.resources.cores.min;
    f.cores_max = spec.resources.cores.max;
    f.priority = spec.priority;
    f.time_estimate = spec.time_estimate;
    f.time_limit = spec.time_limit;
    // Its dependents that have not finished wait for it.
    for (TaskIndex d : graph_.dependents(t)) {
      if (index[d] >= 0) input.tasks[static_cast<size_t>(index[d])].deps.push_back(index[t]);
    }
    if (!IsActive(tasks_.state(t))) continue;
    auto it = running_.find(t);
    if (it == running_.end()) continue;
    const Running& r = it->second;
    f.state = ForecastTaskState::kRunning;
    f.elapsed = std::max(Duration(0), std::chrono::duration_cast<Duration>(now - r.started));
    if (!r.allocation.cpus.empty()) f.cores = static_cast<int>(r.allocation.cpus.size());
    auto w = worker_index.find(r.worker);
    f.worker = w != worker_index.end() ? w->second : -1;
  }
  return input;
}

}  // namespace allot
