#include "core/profile/sample_window.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numeric>

namespace allot {

namespace {
constexpr size_t kMaxBatch = 64;
}  // namespace

SampleWindow::SampleWindow(size_t capacity)
    : capacity_(capacity), batch_(std::min(capacity, kMaxBatch)) {
  assert(capacity > 0);
  // No reserve(capacity): a campaign of unique ids has a profile per task, each with a
  // sample or two; 3 windows x 1,024 values reserved up front were 24 KB per task.
}

void SampleWindow::Add(double value) {
  if (ring_.size() < capacity_) {
    ring_.push_back(value);
  } else {
    // The oldest value was added at least `capacity` >= batch_ Adds ago, so it has been merged
    // into sorted_ already.
    removed_.push_back(ring_[next_]);
    ring_[next_] = value;
    next_ = (next_ + 1) % capacity_;
  }
  added_.push_back(value);
  if (added_.size() >= batch_) Merge();
}

void SampleWindow::Merge() const {
  std::sort(added_.begin(), added_.end());
  std::sort(removed_.begin(), removed_.end());
  scratch_.clear();
  scratch_.reserve(sorted_.size() + added_.size() - removed_.size());
  size_t r = 0;
  size_t a = 0;
  for (double x : sorted_) {
    if (r < removed_.size() && removed_[r] == x) {
      ++r;
      continue;
    }
    while (a < added_.size() && added_[a] < x) scratch_.push_back(added_[a++]);
    scratch_.push_back(x);
  }
  while (a < added_.size()) scratch_.push_back(added_[a++]);
  assert(r == removed_.size());
  sorted_.swap(scratch_);
  added_.clear();
  removed_.clear();
}

size_t SampleWindow::size() const { return ring_.size(); }

double SampleWindow::Quantile(double q) const {
  const std::vector<double>& sorted_ = sorted();
  assert(!sorted_.empty());
  q = std::clamp(q, 0.0, 1.0);
  double rank = q * static_cast<double>(sorted_.size() - 1);
  size_t lo = static_cast<size_t>(std::floor(rank));
  size_t hi = std::min(lo + 1, sorted_.size() - 1);
  double frac = rank - static_cast<double>(lo);
  return sorted_[lo] + (sorted_[hi] - sorted_[lo]) * frac;
}

double SampleWindow::Mean() const {
  const std::vector<double>& sorted_ = sorted();
  assert(!sorted_.empty());
  // Summed in sorted order: the same values give the same mean whatever their arrival order.
  return std::accumulate(sorted_.begin(), sorted_.end(), 0.0) / static_cast<double>(sorted_.size());
}

}  // namespace allot
