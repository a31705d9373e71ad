// Lanes for a timeline chart: each interval goes to the lowest lane that is free when it
// starts (greedy interval partitioning in order of start), so the chart has as few lanes as
// the most intervals that overlap at once. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace allot {

// The lane (0, 1, ...) of each [start, end) interval, in input order. An interval may start
// where another ends in the same lane.
std::vector<int> PackIntoLanes(const std::vector<std::pair<int64_t, int64_t>>& intervals);

}  // namespace allot
