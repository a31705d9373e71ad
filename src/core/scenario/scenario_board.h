// ScenarioBoard: the campaign's scenarios (tasks grouped by tags.scenario) as their metrics
// arrive, and what the policy (model/scenario_policy_spec.h: ASHA or promise-proportional)
// decides for each: a priority offset for its tasks, or a stop.
//
// Deterministic: the same points in the same order give the same changes (no clock; the
// points carry their time). The scheduler owns one per campaign with a policy; on --resume
// the journal's metrics are observed again in order, which rebuilds it.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/metric_point.h"
#include "model/scenario_policy_spec.h"

namespace allot {

// What changed for one scenario, with the reason for people:
// "asha: rung 1 (step 3): loss 0.21 is 2nd of 5, within the best 1 of 5 (eta 3): promoted".
struct ScenarioChange {
  std::string scenario;
  int priority_offset = 0;  // the offset its tasks run at from now on (added to their priority)
  bool stop = false;        // the policy stops it: what it has not run is canceled
  std::string reason;
  bool operator==(const ScenarioChange&) const = default;
};

// One scenario as `allot scenarios` shows it.
struct ScenarioStanding {
  std::string scenario;
  std::optional<double> score;  // asha: its latest value of `metric`; promise: the weighted sum
  int rung = -1;                // asha: the highest rung it reached; -1: none (promise: -1)
  int priority_offset = 0;
  bool stopped = false;
  std::map<std::string, double> latest;  // its latest value of each metric
  std::optional<int64_t> step;           // its highest step of any metric
  std::string note;                      // the reason of its last change; empty: none yet
};

class ScenarioBoard {
 public:
  explicit ScenarioBoard(ScenarioPolicySpec spec);

  // A metric reported by a task of `scenario`. Appends to `changes` the scenarios whose
  // offset or stop changed because of it (several under promise: the normalization moves).
  void Observe(const std::string& scenario, const MetricPoint& point,
               std::vector<ScenarioChange>* changes);

  int PriorityOffset(const std::string& scenario) const;  // 0 for one never seen
  bool Stopped(const std::string& scenario) const;

  // Every scenario seen, best first (by score in the policy's mode; those without a score
  // last, by name).
  std::vector<ScenarioStanding> Ranking() const;

  const ScenarioPolicySpec& spec() const { return spec_; }

 private:
  ScenarioPolicySpec spec_;
  // Implementation's state (scenarios, rungs) goes here.
};

}  // namespace allot
