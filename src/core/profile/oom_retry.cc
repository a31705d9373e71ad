#include "core/profile/oom_retry.h"

#include <algorithm>

#include "core/profile/learned_request.h"

namespace allot {

std::optional<int64_t> NextMemoryAfterOom(int64_t current, int64_t peak, int64_t cap) {
  current = std::max<int64_t>(0, current);
  peak = std::max<int64_t>(0, peak);
  if (current >= cap) return std::nullopt;
  // Each term is compared with cap before it can overflow.
  int64_t doubled = current > cap / 2 ? cap : 2 * current;
  int64_t from_peak = peak > cap / 5 * 4 ? cap : peak + (peak + 3) / 4;  // ceil(1.25 x peak)
  int64_t want = std::max({doubled, from_peak, current + 1});
  int64_t rounded = RoundUpMemory(want);
  if (rounded < want) return cap;  // rounding saturated: only the cap is above
  return std::min(rounded, cap);
}

}  // namespace allot
