// Clock: the only way any layer reads time. The core never reads the wall clock directly; tests
// inject a FakeClock (src/testing) and advance it. Implementations are thread-safe.
#pragma once

#include <cstdint>

#include "common/time.h"

namespace allot {

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time: for deadlines and durations.
  virtual TimePoint Now() const = 0;
  // Wall-clock time in microseconds since the Unix epoch: for records people read.
  virtual int64_t WallMicros() const = 0;
};

// The real clock: steady_clock and system_clock.
class SystemClock final : public Clock {
 public:
  TimePoint Now() const override;
  int64_t WallMicros() const override;
  // A process-wide instance; never destroyed.
  static SystemClock* Default();
};

}  // namespace allot
