// FakeClock: time that moves only when a test says so. Starts at an arbitrary fixed point.
#pragma once

#include "common/clock.h"

namespace allot {

class FakeClock final : public Clock {
 public:
  TimePoint Now() const override { return now_; }
  int64_t WallMicros() const override { return kWallEpochUs + now_.time_since_epoch().count(); }
  void Advance(Duration d) { now_ += d; }
  void AdvanceTo(TimePoint t) {
    if (t > now_) now_ = t;
  }

 private:
  static constexpr int64_t kWallEpochUs = 1'700'000'000'000'000;  // 2023-11-14
  TimePoint now_{Duration(1'000'000)};
};

}  // namespace allot
