#include "core/scenario/asha_rungs.h"

#include <algorithm>
#include <cmath>

namespace allot {
namespace {

constexpr double kStepCap = 4.6e18;  // under 2^62: the rung steps never overflow int64_t

double ClampEta(double eta) { return eta >= 2 ? eta : 2; }  // NaN too

}  // namespace

std::vector<int64_t> AshaRungSteps(int64_t grace, double eta, std::optional<int64_t> max_step) {
  eta = ClampEta(eta);
  const double limit =
      max_step ? std::min(static_cast<double>(*max_step), kStepCap) : kStepCap;
  std::vector<int64_t> steps;
  // Repeated multiplication: exact for integer grace and eta (1, 3, 9, 27, ...).
  for (double s = static_cast<double>(std::max<int64_t>(grace, 1)); std::ceil(s) <= limit;
       s *= eta) {
    steps.push_back(static_cast<int64_t>(std::ceil(s)));
  }
  return steps;
}

AshaRungs::AshaRungs(int64_t grace, double eta, std::optional<int64_t> max_step, bool maximize)
    : eta_(ClampEta(eta)),
      maximize_(maximize),
      steps_(AshaRungSteps(grace, eta, max_step)),
      rungs_(steps_.size()) {}

int AshaRungs::RungsReached(int64_t step) const {
  return static_cast<int>(std::upper_bound(steps_.begin(), steps_.end(), step) - steps_.begin());
}

AshaRungs::Verdict AshaRungs::Join(int k, double value) {
  std::vector<double>& rung = rungs_[k];
  const double badness = maximize_ ? -value : value;
  // After every value as good or equal: the earlier arrival ranks better.
  auto at = std::upper_bound(rung.begin(), rung.end(), badness);
  Verdict v;
  v.rank = static_cast<int>(at - rung.begin()) + 1;
  rung.insert(at, badness);
  v.size = static_cast<int>(rung.size());
  v.keep = std::max(1, static_cast<int>(std::floor(v.size / eta_)));
  v.promoted = v.rank <= v.keep;
  return v;
}

}  // namespace allot
