// AshaRungs: the rungs of asynchronous successive halving (ASHA; Li et al. 2018, as Optuna's
// SuccessiveHalvingPruner and Ray Tune's ASHAScheduler): rung k sits at step grace * eta^k,
// and holds the values the scenarios had when they first reached that step. A value is
// judged once, when it joins: promoted when it is within the best max(1, floor(n / eta)) of
// the n values the rung holds then (itself included), no waiting for the stragglers.
//
// Ties: a value ranks after the equal values already there (the earlier arrival ranks
// better). Cost: Join is O(log n) to rank plus O(n) to insert into the rung's sorted values (a
// memmove of doubles: microseconds for thousands). Not thread-safe; deterministic.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace allot {

// The steps of the rungs: ceil(grace * eta^k) for k = 0, 1, ... while <= max_step (when given;
// else while it fits an int64_t comfortably, under 2^62). grace 1, eta 3: 1, 3, 9, 27, ...
// Arguments outside the parser's bounds are clamped (grace to >= 1, eta to >= 2) so that the
// steps always increase. Empty when grace > max_step.
std::vector<int64_t> AshaRungSteps(int64_t grace, double eta, std::optional<int64_t> max_step);

class AshaRungs {
 public:
  // How a joining value fared in its rung.
  struct Verdict {
    int rank = 0;   // 1: the best of the rung (ties: after the earlier arrivals)
    int size = 0;   // the values the rung holds, this one included
    int keep = 0;   // max(1, floor(size / eta)): how many of them are promoted
    bool promoted = false;  // rank <= keep
  };

  AshaRungs(int64_t grace, double eta, std::optional<int64_t> max_step, bool maximize);

  const std::vector<int64_t>& steps() const { return steps_; }
  int count() const { return static_cast<int>(steps_.size()); }
  double eta() const { return eta_; }
  // The number of rungs whose step is <= `step`: a scenario at `step` has reached rungs
  // 0 .. RungsReached(step) - 1. O(log rungs).
  int RungsReached(int64_t step) const;
  // Adds `value` to rung k and judges it. REQUIRES: 0 <= k < count(); value not NaN.
  Verdict Join(int k, double value);
  // How many values rung k holds. REQUIRES: 0 <= k < count().
  int size(int k) const { return static_cast<int>(rungs_[k].size()); }

 private:
  double eta_;
  bool maximize_;
  std::vector<int64_t> steps_;
  // Per rung, its values as "badness" (the value in min mode, its negation in max mode),
  // ascending: the best first.
  std::vector<std::vector<double>> rungs_;
};

}  // namespace allot
