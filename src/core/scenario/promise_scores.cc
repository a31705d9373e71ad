#include "core/scenario/promise_scores.h"

#include <algorithm>
#include <cmath>

namespace allot {

void PromiseScores::Insert(double score) {
  sorted_.insert(std::upper_bound(sorted_.begin(), sorted_.end(), score), score);
}

void PromiseScores::Erase(double score) {
  auto at = std::lower_bound(sorted_.begin(), sorted_.end(), score);
  if (at != sorted_.end() && *at == score) sorted_.erase(at);
}

int PromiseScores::Rank(double score) const {
  if (maximize_) {
    return static_cast<int>(sorted_.end() -
                            std::upper_bound(sorted_.begin(), sorted_.end(), score)) + 1;
  }
  return static_cast<int>(std::lower_bound(sorted_.begin(), sorted_.end(), score) -
                          sorted_.begin()) + 1;
}

int PromiseScores::Offset(double score, int range) const {
  const double lo = sorted_.front();
  const double hi = sorted_.back();
  if (!(hi > lo)) return 0;
  // Where the score lies from the worst (0) to the best (1). Halved terms keep hi - lo finite
  // for scores near the ends of double's range.
  double at = (score / 2 - lo / 2) / (hi / 2 - lo / 2);
  if (!maximize_) at = 1 - at;
  if (!(at > 0)) return 0;  // NaN too
  if (at > 1) at = 1;
  return static_cast<int>(std::lround(range * at));
}

}  // namespace allot
