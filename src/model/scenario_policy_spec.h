// ScenarioPolicySpec: how a campaign moves core-hours between its scenarios (tasks grouped by
// tags.scenario) as their metrics come in: the top-level `scenarios:` block of a workflow file.
//
//   scenarios:
//     policy: asha             # or: promise
//     metric: loss             # asha: the metric compared at each rung
//     mode: min                # min (lower is better) or max
//     reduction_factor: 3      # asha: eta >= 2; the top 1/eta of a rung are promoted
//     grace: 1                 # asha: the first rung's step (min resource)
//     max_step: 27             # asha: optional; no rung beyond it
//     action: stop             # asha: stop (cancel what the scenario has not run) or
//                              #       deprioritize (it runs last)
//     score: {accuracy: 1, loss: -0.5}   # promise: the weights of the latest metric values
//     priority_range: 100      # promise: the best scenario's offset (1 to 1000000)
// (Read by model/scenario_policy_parser.h, which says what each key accepts.)
//
// ASHA: rungs at steps grace * eta^k (rounded up). When a scenario's `metric` first reaches a
// rung's step, its value joins the rung; it is promoted when it is within the best
// max(1, floor(n / eta)) of the n values the rung holds then (asynchronous successive halving:
// no waiting for stragglers), else demoted (stopped, or deprioritized: offset -1). A scenario
// promoted at rung k runs at priority +(k + 1), so scenarios further up run first
// (core/scenario/scenario_board.h).
// Promise: a scenario's score is the weighted sum of its latest values of the named metrics;
// its tasks' priority offset is proportional to where the score lies between the worst and the
// best scenario's (0 to priority_range; all 0 while every score is equal).
// Plain data; thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace allot {

struct ScenarioPolicySpec {
  enum class Kind { kAsha, kPromise };
  enum class Action { kStop, kDeprioritize };

  Kind kind = Kind::kAsha;
  bool maximize = false;  // mode: max
  // ASHA
  std::string metric;
  double reduction_factor = 3;
  int64_t grace = 1;
  std::optional<int64_t> max_step;
  Action action = Action::kStop;
  // Promise
  std::map<std::string, double> score;
  int priority_range = 100;

  bool operator==(const ScenarioPolicySpec&) const = default;
};

}  // namespace allot
