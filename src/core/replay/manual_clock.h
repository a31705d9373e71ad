// ManualClock: a Clock that moves only when its owner sets it; for replays and simulations
// inside the core (which may not read the wall clock). Tests use testing/fake_clock.h.
// Thread-compatible.
#pragma once

#include "common/clock.h"

namespace allot {

class ManualClock final : public Clock {
 public:
  // Wall time is this fixed epoch plus Now(), so journaled events stay deterministic.
  static constexpr int64_t kWallEpochUs = 1'700'000'000'000'000;  // 2023-11-14

  TimePoint Now() const override { return now_; }
  int64_t WallMicros() const override { return kWallEpochUs + now_.time_since_epoch().count(); }
  // Moves to `t`; never backwards.
  void AdvanceTo(TimePoint t) {
    if (t > now_) now_ = t;
  }

 private:
  TimePoint now_{Duration(1'000'000)};
};

}  // namespace allot
