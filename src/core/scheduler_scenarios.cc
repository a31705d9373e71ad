// Scheduler: the campaign's scenario policy (SetScenarioPolicy): metrics of tasks tagged
// `scenario` go to the ScenarioBoard, and what it decides moves the scenario's tasks in the
// ready queue or stops them, in the turn the metric arrived.
#include "core/scheduler.h"

#include <algorithm>
#include <cmath>
#include <csignal>

#include "model/scenario_policy_json.h"

namespace allot {

const std::string* Scheduler::ScenarioOf(const TaskSpec& spec) {
  auto it = spec.tags.find("scenario");
  return it == spec.tags.end() || it->second.empty() ? nullptr : &it->second;
}

void Scheduler::SetScenarioPolicy(const ScenarioPolicySpec& spec) {
  board_ = std::make_unique<ScenarioBoard>(spec);
  outbox_.meta.emplace_back(std::string(kScenarioPolicyMetaKey), ScenarioPolicyToJson(spec));
  scenario_tasks_.clear();
  scenario_applied_.clear();
  scenario_indexed_ = 0;
  scored_.clear();
}

void Scheduler::ObserveScenario(const std::string& scenario, const MetricPoint& point,
                                bool restoring) {
  if (scenario.empty()) return;
  scenario_scratch_.clear();
  board_->Observe(scenario, point, &scenario_scratch_);
  if (scenario_scratch_.empty()) return;
  if (scenario_indexed_ < tasks_.size()) IndexScenarios();
  for (const ScenarioChange& c : scenario_scratch_) {
    ApplyScenarioChange(c);
    if (!restoring) {
      outbox_.scenario_decisions.push_back(ScenarioDecision{point.time_us, c.scenario,
                                                            c.priority_offset, c.stop, c.reason,
                                                            point.task});
    }
  }
  if (board_->spec().kind == ScenarioPolicySpec::Kind::kPromise) {
    // Every scored scenario's elastic tasks, at their offsets now (a scenario whose offset
    // stayed 0 has a score too: the worst gets its minimum).
    const bool spread = PromiseSpread();
    for (const ScenarioStanding& s : board_->Ranking()) {
      if (!s.score) continue;
      scored_.insert(s.scenario);
      auto tasks = scenario_tasks_.find(s.scenario);
      if (tasks == scenario_tasks_.end()) continue;
      for (TaskIndex t : tasks->second) {
        if (!IsTerminal(tasks_.state(t))) ScaleElasticCores(t, ElasticShare(s.scenario, spread));
      }
    }
  }
  dirty_ = true;
}

void Scheduler::IndexScenarios() {
  std::optional<bool> spread;  // PromiseSpread, once
  for (size_t i = scenario_indexed_; i < tasks_.size(); ++i) {
    const TaskIndex t = static_cast<TaskIndex>(i);
    if (!tasks_.has_spec(t)) continue;  // finished before a restart: nothing to move
    const std::string* scenario = ScenarioOf(tasks_.spec(t));
    if (scenario == nullptr) continue;
    scenario_tasks_[*scenario].push_back(t);
    if (IsTerminal(tasks_.state(t))) continue;
    if (board_->Stopped(*scenario)) {
      StopForScenario(t, "its scenario " + *scenario + " was stopped before it was submitted");
      continue;
    }
    auto applied = scenario_applied_.find(*scenario);
    if (applied != scenario_applied_.end() && applied->second != 0) {
      ShiftPriority(t, applied->second);
    }
    if (scored_.count(*scenario) != 0) {
      if (!spread) spread = PromiseSpread();
      ScaleElasticCores(t, ElasticShare(*scenario, *spread));
    }
  }
  scenario_indexed_ = tasks_.size();
}

void Scheduler::ApplyScenarioChange(const ScenarioChange& change) {
  int& applied = scenario_applied_[change.scenario];
  const int delta = change.priority_offset - applied;
  applied = change.priority_offset;
  auto tasks = scenario_tasks_.find(change.scenario);
  if (tasks == scenario_tasks_.end()) return;
  for (TaskIndex t : tasks->second) {
    if (IsTerminal(tasks_.state(t))) continue;
    if (change.stop) {
      StopForScenario(t, change.reason);
      continue;
    }
    if (delta != 0) ShiftPriority(t, delta);
  }
}

bool Scheduler::PromiseSpread() const {
  for (const ScenarioStanding& s : board_->Ranking()) {
    if (s.priority_offset > 0) return true;
  }
  return false;
}

double Scheduler::ElasticShare(const std::string& scenario, bool spread) const {
  // All scores equal (one scenario, or ties): no one is more promising, each gets its max.
  if (!spread) return 1.0;
  const int range = std::max(1, board_->spec().priority_range);
  return std::clamp(static_cast<double>(board_->PriorityOffset(scenario)) / range, 0.0, 1.0);
}

void Scheduler::ScaleElasticCores(TaskIndex t, double share) {
  if (running_.count(t) != 0) return;  // it has its cores; the next attempt gets the new max
  ResourceRequest& r = tasks_.mutable_spec(t).resources;
  auto [it, added] = elastic_max_.try_emplace(t, r.cores.max);
  const int wanted = it->second;
  if (wanted <= r.cores.min) {
    if (added) elastic_max_.erase(it);  // not elastic
    return;
  }
  r.cores.max = r.cores.min + static_cast<int>(std::lround((wanted - r.cores.min) * share));
}

void Scheduler::ShiftPriority(TaskIndex t, int delta) {
  const bool queued = tasks_.state(t) == TaskState::kReady;
  if (queued) EraseReady(t);
  tasks_.mutable_spec(t).priority += delta;
  if (queued) PushReady(t);
}

void Scheduler::StopForScenario(TaskIndex t, const std::string& reason) {
  auto it = running_.find(t);
  if (it == running_.end()) {
    if (!CheckControl(t, ControlAction::kCancel).ok()) return;
    Transition(t, TaskState::kCanceled, reason);
    SkipDescendants(t);
    return;
  }
  Running& r = it->second;
  if (r.cancel_sent) return;
  r.cancel_sent = true;
  scenario_stop_reasons_[t] = reason;
  if (!r.term_sent) Signal(r, SIGTERM);
  if (tasks_.state(t) == TaskState::kPaused) Signal(r, SIGCONT);
  r.term_sent = true;
  timers_.Add({clock_->Now() + tasks_.spec(t).grace_period, TimerKind::kKillAfterGrace, t,
               tasks_.record(t).attempts});
}

}  // namespace allot
