#include "core/forecast/task_duration_model.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace allot {
namespace {

int64_t Micros(double us) { return static_cast<int64_t>(std::llround(std::max(0.0, us))); }

}  // namespace

TaskDurationModel TaskDurationModel::Empirical(const std::vector<double>* sorted_walls_us,
                                               std::optional<Duration> time_limit) {
  assert(sorted_walls_us != nullptr && !sorted_walls_us->empty());
  return TaskDurationModel(sorted_walls_us, 0, time_limit ? time_limit->count() : -1);
}

TaskDurationModel TaskDurationModel::Fixed(Duration d, std::optional<Duration> time_limit) {
  return TaskDurationModel(nullptr, std::max<int64_t>(0, d.count()),
                           time_limit ? time_limit->count() : -1);
}

int64_t TaskDurationModel::Capped(int64_t us) const {
  return limit_us_ >= 0 ? std::min(us, limit_us_) : us;
}

int64_t TaskDurationModel::DrawMicros(Rng& rng) const {
  if (walls_ == nullptr) return Capped(fixed_us_);
  return Capped(Micros((*walls_)[rng.Uniform(walls_->size())]));
}

int64_t TaskDurationModel::DrawRemainingMicros(int64_t elapsed_us, Rng& rng) const {
  int64_t total;
  if (walls_ == nullptr) {
    total = fixed_us_ > elapsed_us ? fixed_us_ : elapsed_us + OverrunMicros(rng);
  } else {
    const std::vector<double>& w = *walls_;
    auto first = std::upper_bound(w.begin(), w.end(), static_cast<double>(elapsed_us));
    size_t longer = static_cast<size_t>(w.end() - first);
    if (longer > 0) {
      total = std::max(elapsed_us, Micros(first[rng.Uniform(longer)]));
    } else {
      total = elapsed_us + OverrunMicros(rng);
    }
  }
  return std::max<int64_t>(0, Capped(total) - elapsed_us);
}

int64_t TaskDurationModel::OverrunMicros(Rng& rng) const {
  if (walls_ == nullptr) return fixed_us_ / 10;
  const std::vector<double>& w = *walls_;
  size_t n = w.size();
  double median = n % 2 == 1 ? w[n / 2] : (w[n / 2 - 1] + w[n / 2]) / 2;
  auto first = std::upper_bound(w.begin(), w.end(), median);
  size_t above = static_cast<size_t>(w.end() - first);
  if (above == 0) return Micros(median / 10);
  return Micros(first[rng.Uniform(above)] - median);
}

}  // namespace allot
