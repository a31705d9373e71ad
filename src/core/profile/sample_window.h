// SampleWindow: the last `capacity` values of one measured quantity, kept both in arrival
// order (a ring, to know which value to forget) and sorted (for quantiles and bootstrap draws).
//
// Why a sliding window rather than a sketch or a reservoir: profiles drift (new code, new
// inputs), and the newest attempts describe the next ones best; a window forgets old behaviour
// at a known rate, is exact within the window and needs no randomness, so replaying the same
// attempts gives the same numbers. 1024 values cost 16 KiB per quantity.
//
// Cost: Add is O(log N) comparisons plus one memmove of at most N doubles (8 KiB: well under
// a microsecond); Quantile, Min and Max are O(1), Mean is O(N). Not thread-safe.
#pragma once

#include <cstddef>
#include <vector>

namespace allot {

class SampleWindow {
 public:
  // REQUIRES: capacity > 0.
  explicit SampleWindow(size_t capacity);

  // Adds `value`, forgetting the oldest value when the window is full.
  void Add(double value);

  size_t size() const { return sorted_.size(); }
  bool empty() const { return sorted_.empty(); }
  size_t capacity() const { return capacity_; }

  // Linear interpolation between closest ranks (R-7, the NumPy default); q in [0, 1].
  // REQUIRES: !empty().
  double Quantile(double q) const;
  double Min() const { return sorted_.front(); }  // REQUIRES: !empty()
  double Max() const { return sorted_.back(); }   // REQUIRES: !empty()
  double Mean() const;                            // REQUIRES: !empty()

  // The values in ascending order: a uniform index into them is a bootstrap draw.
  const std::vector<double>& sorted() const { return sorted_; }

 private:
  size_t capacity_;
  std::vector<double> ring_;  // arrival order once full; next_ is the oldest
  size_t next_ = 0;
  std::vector<double> sorted_;
};

}  // namespace allot
