// Time types shared by every layer. Durations are microseconds; TimePoint is monotonic time.
#pragma once

#include <chrono>
#include <cstdint>

namespace allot {

using Duration = std::chrono::microseconds;
using TimePoint = std::chrono::time_point<std::chrono::steady_clock, Duration>;

inline double ToSeconds(Duration d) { return static_cast<double>(d.count()) / 1e6; }
inline Duration FromSeconds(double s) { return Duration(static_cast<int64_t>(s * 1e6)); }

}  // namespace allot
