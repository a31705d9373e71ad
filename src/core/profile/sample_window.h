// SampleWindow: the last `capacity` values of one measured quantity, kept both in arrival
// order (a ring, to know which value to forget) and sorted (for quantiles and bootstrap draws).
//
// Why a sliding window rather than a sketch or a reservoir: profiles drift (new code, new
// inputs), and the newest attempts describe the next ones best; a window forgets old behaviour
// at a known rate, is exact within the window and needs no randomness, so replaying the same
// attempts gives the same numbers. 1024 values cost 16 KiB per quantity.
//
// Cost: Add is amortized O(N / B + log B): new and forgotten values wait in two small buffers and
// are merged into the sorted values in one linear pass when B (64, or the capacity when
// smaller) have arrived, or before any query. A query after unmerged Adds costs that O(N)
// merge; otherwise Quantile, Min and Max are O(1) and Mean is O(N). Queries are const but
// merge: not thread-safe, not even for concurrent readers.
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

  size_t size() const;
  bool empty() const { return ring_.empty(); }
  size_t capacity() const { return capacity_; }

  // Linear interpolation between closest ranks (R-7, the NumPy default); q in [0, 1].
  // REQUIRES: !empty().
  double Quantile(double q) const;
  double Min() const { return sorted().front(); }  // REQUIRES: !empty()
  double Max() const { return sorted().back(); }   // REQUIRES: !empty()
  double Mean() const;                             // REQUIRES: !empty()

  // The values in ascending order: a uniform index into them is a bootstrap draw.
  const std::vector<double>& sorted() const {
    if (!added_.empty()) Merge();
    return sorted_;
  }

 private:
  // Folds added_ into sorted_ and takes removed_ out of it.
  void Merge() const;

  size_t capacity_;
  size_t batch_;
  std::vector<double> ring_;  // arrival order once full; next_ is the oldest
  size_t next_ = 0;
  // sorted_ holds the window as of the last merge; added_ arrived since, removed_ (a subset
  // of sorted_: values older than anything in added_) left since.
  mutable std::vector<double> sorted_;
  mutable std::vector<double> added_;
  mutable std::vector<double> removed_;
  mutable std::vector<double> scratch_;
};

}  // namespace allot
