#include "core/forecast/survival_curve.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numeric>

namespace allot {

SurvivalCurve::SurvivalCurve(std::vector<double> walls_us, std::vector<double> censored_us) {
  assert(!walls_us.empty());
  std::sort(walls_us.begin(), walls_us.end());
  std::sort(censored_us.begin(), censored_us.end());
  wall_count_ = walls_us.size();
  censored_count_ = censored_us.size();
  const size_t n = walls_us.size();
  median_ = n % 2 == 1 ? walls_us[n / 2] : (walls_us[n / 2 - 1] + walls_us[n / 2]) / 2;
  for (double w : walls_us) {
    if (w > median_) residuals_.push_back(w - median_);
  }
  tail_start_ = walls_us.back();
  if (!censored_us.empty()) tail_start_ = std::max(tail_start_, censored_us.back());

  // Kaplan–Meier: walk the walls in order; censored times below a wall leave the risk set.
  double at_risk = static_cast<double>(n + censored_us.size());
  double survival = 1.0;
  size_t c = 0;
  for (size_t i = 0; i < n;) {
    const double t = walls_us[i];
    while (c < censored_us.size() && censored_us[c] < t) {
      at_risk -= 1;
      ++c;
    }
    size_t j = i;
    while (j < n && walls_us[j] == t) ++j;
    const double d = static_cast<double>(j - i);
    survival = d >= at_risk ? 0.0 : survival * (1.0 - d / at_risk);
    at_risk -= d;
    times_.push_back(t);
    cdf_.push_back(1.0 - survival);
    i = j;
  }
  // The top decile's smoothing (see the header).
  smooth_from_ = static_cast<size_t>(std::lower_bound(cdf_.begin(), cdf_.end(), 0.9) - cdf_.begin());
  smooth_from_ = std::min(smooth_from_, times_.size() - 1);
  double excess = 0, mass = 0;
  for (size_t k = smooth_from_ + 1; k < times_.size(); ++k) {
    excess += (cdf_[k] - cdf_[k - 1]) * (times_[k] - times_[smooth_from_]);
    mass += cdf_[k] - cdf_[k - 1];
  }
  mean_excess_ = mass > 0 ? excess / mass : 0;
}

double SurvivalCurve::Overrun(Rng& rng) const {
  if (residuals_.empty()) return median_ / 10;
  return residuals_[rng.Uniform(residuals_.size())];
}

double SurvivalCurve::FromQuantile(double u, double at_least, Rng& rng) const {
  if (u <= cdf_.back()) {
    size_t k = static_cast<size_t>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
    k = std::min(k, times_.size() - 1);
    if (k > smooth_from_ && mean_excess_ > 0) {
      // Exponential above the P90, from where the attempt already is (memoryless).
      const double from = std::max(at_least, times_[smooth_from_]);
      return from - mean_excess_ * std::log(1.0 - rng.UniformDouble());
    }
    return std::max(at_least, times_[k]);
  }
  return std::max(tail_start_, at_least) + Overrun(rng);
}

double SurvivalCurve::Draw(Rng& rng) const {
  return FromQuantile(1.0 - rng.UniformDouble(), 0.0, rng);  // u in (0, 1]
}

double SurvivalCurve::DrawGiven(double elapsed_us, Rng& rng) const {
  const size_t below =
      static_cast<size_t>(std::upper_bound(times_.begin(), times_.end(), elapsed_us) - times_.begin());
  const double f = below == 0 ? 0.0 : cdf_[below - 1];
  if (f >= 1.0) return elapsed_us + Overrun(rng);  // it has outlived every wall
  const double u = f + (1.0 - f) * (1.0 - rng.UniformDouble());  // in (f, 1]
  return FromQuantile(u, elapsed_us, rng);
}

double SurvivalCurve::Mean() const {
  double mean = 0;
  double previous = 0;
  for (size_t k = 0; k < times_.size(); ++k) {
    mean += (cdf_[k] - previous) * times_[k];
    previous = cdf_[k];
  }
  const double overrun =
      residuals_.empty()
          ? median_ / 10
          : std::accumulate(residuals_.begin(), residuals_.end(), 0.0) / residuals_.size();
  return mean + (1.0 - previous) * (tail_start_ + overrun);
}

}  // namespace allot
