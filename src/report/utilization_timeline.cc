#include "report/utilization_timeline.h"

#include <algorithm>

namespace allot {
namespace {

struct RateChange {
  int64_t at_us;
  double allocated;
  double used;
};

}  // namespace

std::vector<UtilizationBin> SweepUtilization(std::span<const AttemptRecord> attempts,
                                             int max_bins) {
  std::vector<RateChange> changes;
  changes.reserve(attempts.size() * 2);
  int64_t first = INT64_MAX;
  int64_t last = INT64_MIN;
  for (const AttemptRecord& a : attempts) {
    if (a.end_us <= a.start_us) continue;
    const double length = static_cast<double>(a.end_us - a.start_us);
    const double used = static_cast<double>(a.Cpu().count()) / length;
    changes.push_back({a.start_us, static_cast<double>(a.cores), used});
    changes.push_back({a.end_us, -static_cast<double>(a.cores), -used});
    first = std::min(first, a.start_us);
    last = std::max(last, a.end_us);
  }
  std::vector<UtilizationBin> bins;
  if (changes.empty()) return bins;
  std::sort(changes.begin(), changes.end(),
            [](const RateChange& x, const RateChange& y) { return x.at_us < y.at_us; });
  const int64_t span = last - first;
  const int64_t width = std::max<int64_t>(1, (span + max_bins - 1) / max_bins);
  double allocated = 0;
  double used = 0;
  size_t next = 0;
  for (int64_t begin = first; begin < last; begin += width) {
    const int64_t end = std::min(begin + width, last);
    double allocated_integral = 0;
    double used_integral = 0;
    int64_t t = begin;
    while (next < changes.size() && changes[next].at_us < end) {
      const int64_t at = std::max(changes[next].at_us, t);
      allocated_integral += allocated * static_cast<double>(at - t);
      used_integral += used * static_cast<double>(at - t);
      allocated += changes[next].allocated;
      used += changes[next].used;
      t = at;
      ++next;
    }
    allocated_integral += allocated * static_cast<double>(end - t);
    used_integral += used * static_cast<double>(end - t);
    const double w = static_cast<double>(end - begin);
    // Sums of +x and -x in floating point may leave a -1e-17 behind.
    bins.push_back(
        {begin, end, std::max(0.0, allocated_integral / w), std::max(0.0, used_integral / w)});
  }
  return bins;
}

}  // namespace allot
