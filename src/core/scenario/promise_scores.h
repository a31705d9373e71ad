// PromiseScores: the scores of the scenarios that have one, under the promise-proportional
// policy, kept sorted so that the worst, the best and any score's rank are at hand.
//
// A scenario's priority offset is proportional to where its score lies between the worst and
// the best score: round(range * (score - worst) / (best - worst)), so the best scenario runs
// at +range and the worst at 0. When every score is the same (one scenario, or a tie of all),
// every offset is 0: no scenario is more promising than another, which is also what the
// scenarios without a score yet get.
//
// Cost: Insert and Erase are O(log n) to find plus O(n) to move (a memmove of doubles); Rank,
// worst and best O(log n) or O(1). Not thread-safe; deterministic.
#pragma once

#include <vector>

namespace allot {

class PromiseScores {
 public:
  explicit PromiseScores(bool maximize) : maximize_(maximize) {}

  // REQUIRES: score is finite.
  void Insert(double score);
  // Removes one copy of `score`; nothing when it is not held.
  void Erase(double score);

  int size() const { return static_cast<int>(sorted_.size()); }
  bool empty() const { return sorted_.empty(); }
  // REQUIRES: !empty(). The worst and the best score in the policy's mode.
  double worst() const { return maximize_ ? sorted_.front() : sorted_.back(); }
  double best() const { return maximize_ ? sorted_.back() : sorted_.front(); }
  // 1 + the number of scores strictly better than `score` (equal scores share a rank).
  int Rank(double score) const;
  // The offset of `score`, in 0 .. range (above). REQUIRES: !empty().
  int Offset(double score, int range) const;

 private:
  bool maximize_;
  std::vector<double> sorted_;  // ascending
};

}  // namespace allot
