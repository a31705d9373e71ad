// SurvivalCurve: how long an attempt of one profile lasts, learned without survivorship bias.
//
// Why: part way through a campaign the attempts that have ended are mostly the short ones (a
// long attempt started at the same time is still running). Drawing from the ended walls alone
// forecasts too little. The running attempts are censored observations: each has lasted at
// least its elapsed time. The curve is the Kaplan–Meier estimate over both:
//   1. Walk the distinct times t ascending; at each, n = the observations >= t (at risk),
//      d = the walls equal to t; S(t) = S(t-) x (1 - d / n). Censored times at t leave the
//      risk set after the walls at t (the usual convention).
//   2. The mass S(t-) - S(t) sits on t: the draws are weighted, not uniform over the walls.
//   3. When the largest observation is censored, S stays above 0: that tail mass belongs to
//      durations beyond every observation. A draw in it is the largest censored time plus an
//      overrun (below).
// Without censored times the curve is the plain empirical distribution of the walls (every
// wall equally likely): the old bootstrap.
//
// The top decile is smoothed: a draw above the curve's P90 q (below any tail mass) is
// q + an exponential with the mean excess of the walls above q, E[w - q | w > q] (the same
// mean, but not capped at the largest wall seen: a sample of N walls rarely holds the longest
// of the next N, and the end of a campaign waits for its longest tasks). When the walls above
// q are all equal (or q is the largest wall, as with few walls) nothing changes.
//
// Overrun (a draw in the tail, or a conditional draw for an attempt that has outlived every
// observation): a residual above the walls' median, {w - P50 : w > P50}, on the view that an
// attempt already in the tail goes on about as long as tails do; 10% of P50 where there are
// none (identical walls).
//
// Immutable after construction; draws are O(log N). Thread-compatible (const draws share
// nothing but the Rng they are given).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/rng.h"

namespace allot {

class SurvivalCurve {
 public:
  // REQUIRES: walls_us non-empty (the ended, successful attempts); values >= 0, any order.
  // censored_us: the elapsed times of running attempts (any order, may be empty).
  SurvivalCurve(std::vector<double> walls_us, std::vector<double> censored_us);

  // A full attempt's duration in microseconds.
  double Draw(Rng& rng) const;
  // The total duration of an attempt that has lasted `elapsed_us` so far (>= elapsed_us).
  double DrawGiven(double elapsed_us, Rng& rng) const;
  // The mean of a full attempt's duration (the tail counted at its start plus the mean
  // overrun).
  double Mean() const;

  size_t walls() const { return wall_count_; }
  size_t censored() const { return censored_count_; }
  // The probability mass beyond every observation (0 without censored times).
  double tail_mass() const { return cdf_.empty() ? 1.0 : 1.0 - cdf_.back(); }

 private:
  double FromQuantile(double u, double at_least, Rng& rng) const;
  double Overrun(Rng& rng) const;

  std::vector<double> times_;  // distinct wall times, ascending
  std::vector<double> cdf_;    // P(duration <= times_[k])
  double tail_start_ = 0;      // the largest observation (wall or censored)
  double median_ = 0;          // of the walls
  std::vector<double> residuals_;  // {w - median : w > median}, ascending
  size_t smooth_from_ = 0;         // index of the P90 in times_
  double mean_excess_ = 0;         // above times_[smooth_from_], within the walls
  size_t wall_count_ = 0;
  size_t censored_count_ = 0;
};

}  // namespace allot
