// ScenarioBoard: the campaign's scenarios (tasks grouped by tags.scenario) as their metrics
// arrive, and what the policy (model/scenario_policy_spec.h: ASHA or promise-proportional)
// decides for each: a priority offset for its tasks, or a stop.
//
// ASHA (core/scenario/asha_rungs.h), per point of `metric` that carries a step:
//  1. A stopped scenario's points change nothing (they still show in Ranking's `latest`).
//  2. Every rung whose step the scenario's step reaches (>=) for the first time is joined, in
//     order, with this point's value (a jump from step 2 to 10 joins rungs 3 and 9 at once).
//  3. At each rung joined: within the best max(1, floor(n / eta)) of the rung's n values (ties:
//     the earlier arrival ranks better) -> promoted, offset rung + 1; else demoted: with action
//     stop the scenario is stopped (and joins no further rung), with deprioritize its offset is
//     -1 (it keeps running last; a later rung judges it again and may promote it).
//  4. One change per point at most, with the state after the last rung joined and that rung's
//     reason (prefixed with the rungs passed when it joined several).
//  A stopped scenario keeps its offset (its unstarted tasks are canceled anyway).
//  Points of other metrics or without a step only update `latest` and `step`.
//
// Promise (core/scenario/promise_scores.h), per point of a metric named in `score`:
//  1. The scenario's score is the weighted sum of its latest values of the score's metrics;
//     none until it has reported each of them (offset 0 until then).
//  2. Offsets are round(priority_range * (score - worst) / (best - worst)) over the scenarios
//     with a score (best: the highest in max mode, the lowest in min mode); all 0 while every
//     score is equal (one scenario, or all tied).
//  3. When the worst or the best score moved, every scenario's offset is recomputed
//     (O(scenarios): fine up to a few thousand); else only this scenario's. A change is
//     appended for every scenario whose offset changed, in name order.
//
// Values that are not finite (the parser refuses them) are ignored, as is a score whose sum
// overflows.
//
// Deterministic: the same points in the same order give the same changes (no clock; the
// points carry their time). The scheduler owns one per campaign with a policy; on --resume
// the journal's metrics are observed again in order, which rebuilds it.
// Cost of Observe: O(log scenarios) to find the scenario and metric, plus under ASHA O(n) of
// the rung joined (a memmove), under promise O(scenarios) when the worst or best moved. It
// allocates only for a new scenario or metric name, and for the reasons of changes.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/scenario/asha_rungs.h"
#include "core/scenario/promise_scores.h"
#include "model/metric_point.h"
#include "model/scenario_policy_spec.h"

namespace allot {

// What changed for one scenario, with the reason for people:
// "asha: rung 1 (step 3): loss 0.21 is 2nd of 5 at this rung, within the best 1 (eta 3):
// promoted, priority +2".
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
  // asha: its value of `metric` at the highest rung it reached (none before the first rung);
  // promise: the weighted sum (none until it reported every metric of the score).
  std::optional<double> score;
  int rung = -1;                // asha: the highest rung it reached; -1: none (promise: -1)
  int priority_offset = 0;
  bool stopped = false;
  std::map<std::string, double> latest;  // its latest value of each metric
  std::optional<int64_t> step;           // its highest step of any metric
  std::string note;                      // the reason of its last change; empty: none yet
};

class ScenarioBoard {
 public:
  // REQUIRES: a spec the parser accepts (model/scenario_policy_parser.h); out-of-range ASHA
  // parameters are clamped (asha_rungs.h) rather than trusted.
  explicit ScenarioBoard(ScenarioPolicySpec spec);

  // A metric reported by a task of `scenario`. Appends to `changes` (when not null) the
  // scenarios whose offset or stop changed because of it (several under promise: the
  // normalization moves).
  void Observe(const std::string& scenario, const MetricPoint& point,
               std::vector<ScenarioChange>* changes);

  int PriorityOffset(const std::string& scenario) const;  // 0 for one never seen
  bool Stopped(const std::string& scenario) const;

  // Every scenario seen, in this order:
  //  1. not stopped, with a score: asha by highest rung reached (higher first), then by the
  //     value at that rung; promise by score; best first in the policy's mode, then by name;
  //  2. stopped, with a score: the same order;
  //  3. without a score: by name.
  std::vector<ScenarioStanding> Ranking() const;

  const ScenarioPolicySpec& spec() const { return spec_; }

 private:
  struct Scenario {
    std::map<std::string, double, std::less<>> latest;
    std::optional<int64_t> step;
    int rungs_joined = 0;     // asha
    double rung_value = 0;    // asha: its value at rung rungs_joined - 1
    std::optional<double> score;  // promise
    int offset = 0;
    bool stopped = false;
    std::string note;
  };
  using Scenarios = std::map<std::string, Scenario, std::less<>>;

  void ObserveAsha(Scenarios::iterator it, const MetricPoint& point,
                   std::vector<ScenarioChange>* changes);
  void ObservePromise(Scenarios::iterator it, const MetricPoint& point,
                      std::vector<ScenarioChange>* changes);
  // Sets the offset of a scenario with a score from promise_; appends a change when it moved.
  void UpdatePromiseOffset(Scenarios::iterator it, std::vector<ScenarioChange>* changes);
  std::string PromiseReason(const Scenario& s) const;
  std::optional<double> PromiseScore(const Scenario& s) const;
  ScenarioStanding Standing(const std::string& name, const Scenario& s) const;

  ScenarioPolicySpec spec_;
  AshaRungs rungs_;        // asha
  PromiseScores scores_;   // promise
  Scenarios scenarios_;
};

}  // namespace allot
