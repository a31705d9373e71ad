#include "model/task_spec.h"

#include <algorithm>
#include <cmath>

namespace allot {

Duration RetryBackoff::DelayBeforeRetry(int retry) const {
  if (initial >= max) return max;
  int k = std::max(retry, 1);
  double delay = static_cast<double>(initial.count()) * std::pow(factor, k - 1);
  // pow may overflow to inf; NaN never compares below max.
  if (!(delay < static_cast<double>(max.count()))) return max;
  return Duration(static_cast<int64_t>(delay));
}

}  // namespace allot
