#include "report/timeline_lanes.h"

#include <algorithm>
#include <functional>
#include <numeric>
#include <queue>

namespace allot {

std::vector<int> PackIntoLanes(const std::vector<std::pair<int64_t, int64_t>>& intervals) {
  std::vector<size_t> order(intervals.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return intervals[a].first < intervals[b].first;
  });
  // Lanes in use, by when they become free; lanes freed, lowest first.
  using Busy = std::pair<int64_t, int>;  // (end, lane)
  std::priority_queue<Busy, std::vector<Busy>, std::greater<>> busy;
  std::priority_queue<int, std::vector<int>, std::greater<>> free_lanes;
  std::vector<int> lane(intervals.size(), 0);
  int lanes = 0;
  for (size_t i : order) {
    const auto [start, end] = intervals[i];
    while (!busy.empty() && busy.top().first <= start) {
      free_lanes.push(busy.top().second);
      busy.pop();
    }
    int l;
    if (free_lanes.empty()) {
      l = lanes++;
    } else {
      l = free_lanes.top();
      free_lanes.pop();
    }
    lane[i] = l;
    busy.push({std::max(end, start), l});
  }
  return lane;
}

}  // namespace allot
