#include "core/profile/sample_window.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numeric>

namespace allot {

SampleWindow::SampleWindow(size_t capacity) : capacity_(capacity) {
  assert(capacity > 0);
  ring_.reserve(capacity);
  sorted_.reserve(capacity);
}

void SampleWindow::Add(double value) {
  if (ring_.size() < capacity_) {
    ring_.push_back(value);
  } else {
    double oldest = ring_[next_];
    ring_[next_] = value;
    next_ = (next_ + 1) % capacity_;
    sorted_.erase(std::lower_bound(sorted_.begin(), sorted_.end(), oldest));
  }
  sorted_.insert(std::upper_bound(sorted_.begin(), sorted_.end(), value), value);
}

double SampleWindow::Quantile(double q) const {
  assert(!sorted_.empty());
  q = std::clamp(q, 0.0, 1.0);
  double rank = q * static_cast<double>(sorted_.size() - 1);
  size_t lo = static_cast<size_t>(std::floor(rank));
  size_t hi = std::min(lo + 1, sorted_.size() - 1);
  double frac = rank - static_cast<double>(lo);
  return sorted_[lo] + (sorted_[hi] - sorted_[lo]) * frac;
}

double SampleWindow::Mean() const {
  assert(!sorted_.empty());
  // Summed in sorted order: the same values give the same mean whatever their arrival order.
  return std::accumulate(sorted_.begin(), sorted_.end(), 0.0) / static_cast<double>(sorted_.size());
}

}  // namespace allot
