#include "core/forecast/task_duration_model.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace allot {
namespace {

int64_t Micros(double us) { return static_cast<int64_t>(std::llround(std::max(0.0, us))); }

}  // namespace

TaskDurationModel TaskDurationModel::Learned(const SurvivalCurve* curve,
                                             std::optional<Duration> time_limit) {
  assert(curve != nullptr);
  return TaskDurationModel(curve, 0, time_limit ? time_limit->count() : -1);
}

TaskDurationModel TaskDurationModel::Fixed(Duration d, std::optional<Duration> time_limit) {
  return TaskDurationModel(nullptr, std::max<int64_t>(0, d.count()),
                           time_limit ? time_limit->count() : -1);
}

int64_t TaskDurationModel::Capped(int64_t us) const {
  return limit_us_ >= 0 ? std::min(us, limit_us_) : us;
}

int64_t TaskDurationModel::DrawMicros(Rng& rng) const {
  if (curve_ == nullptr) return Capped(fixed_us_);
  return Capped(Micros(curve_->Draw(rng)));
}

int64_t TaskDurationModel::DrawRemainingMicros(int64_t elapsed_us, Rng& rng) const {
  int64_t total;
  if (curve_ == nullptr) {
    total = fixed_us_ > elapsed_us ? fixed_us_ : elapsed_us + fixed_us_ / 10;
  } else {
    total = std::max(elapsed_us, Micros(curve_->DrawGiven(static_cast<double>(elapsed_us), rng)));
  }
  return std::max<int64_t>(0, Capped(total) - elapsed_us);
}

}  // namespace allot
