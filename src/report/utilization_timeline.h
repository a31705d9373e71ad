// The campaign's utilization over time: cores held by running attempts vs cores they kept
// busy, as time averages over equal bins of the campaign's span. Computed by sweeping the
// attempts' [start, end) intervals, so each bin's value is the exact integral of the step
// functions over the bin divided by its width (no sampling error; O(n log n + bins)).
// An attempt's used cores are spread evenly over its interval: its CPU time / its length.
// Pure; thread-compatible.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "report/attempt_record.h"

namespace allot {

struct UtilizationBin {
  int64_t begin_us = 0;
  int64_t end_us = 0;
  double cores_allocated = 0;  // mean over the bin
  double cores_used = 0;       // mean over the bin
};

// At most `max_bins` bins covering [earliest start, latest end] of `attempts`, each at least
// one microsecond wide; empty when there are no attempts or the span is empty.
// REQUIRES: max_bins > 0.
std::vector<UtilizationBin> SweepUtilization(std::span<const AttemptRecord> attempts, int max_bins);

}  // namespace allot
