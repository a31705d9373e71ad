// Scheduler: intermediate metrics of running attempts (model/metric_point.h).
#include "core/scheduler.h"

namespace allot {

void Scheduler::OnMetric(ExecutionId execution, MetricPoint point, int64_t index) {
  const TaskIndex t = TaskOfExecution(execution);
  auto it = running_.find(t);
  if (it == running_.end() || it->second.execution != execution) return;
  int64_t& taken = it->second.metrics;
  if (index > 0 && index <= taken) return;  // sent again: already journaled (or on its way)
  taken = index > 0 ? index : taken + 1;
  point.task = t;
  point.attempt = AttemptOfExecution(execution);
  KeepLatest(point);
  if (board_ != nullptr) {
    if (const std::string* scenario = ScenarioOf(tasks_.spec(t))) {
      ObserveScenario(*scenario, point, /*restoring=*/false);
    }
  }
  outbox_.metrics.push_back(std::move(point));
}

const std::vector<MetricPoint>* Scheduler::LatestMetrics(TaskIndex t) const {
  auto it = latest_metrics_.find(t);
  return it == latest_metrics_.end() ? nullptr : &it->second;
}

void Scheduler::RestoreMetrics(std::span<const MetricPoint> points,
                               const std::function<std::string(TaskIndex)>& scenario_of) {
  for (const MetricPoint& p : points) {
    if (p.task >= tasks_.size()) continue;
    KeepLatest(p);
    // An attempt that runs on (awaiting its worker): a resend of these is not taken again.
    if (auto r = running_.find(p.task);
        r != running_.end() && r->second.execution == MakeExecutionId(p.task, p.attempt)) {
      ++r->second.metrics;
    }
    if (board_ == nullptr) continue;
    if (tasks_.has_spec(p.task)) {
      if (const std::string* scenario = ScenarioOf(tasks_.spec(p.task))) {
        ObserveScenario(*scenario, p, /*restoring=*/true);
      }
    } else if (scenario_of) {
      ObserveScenario(scenario_of(p.task), p, /*restoring=*/true);
    }
  }
}

void Scheduler::KeepLatest(const MetricPoint& point) {
  std::vector<MetricPoint>& latest = latest_metrics_[point.task];
  for (MetricPoint& m : latest) {
    if (m.name == point.name) {
      m = point;
      return;
    }
  }
  latest.push_back(point);
}

}  // namespace allot
