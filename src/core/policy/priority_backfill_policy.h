// PriorityBackfillPolicy: priority order, FIFO among equals, with EASY backfilling so a large
// high-priority task is never starved by a stream of small ones.
//
// Algorithm, per scheduling pass:
//  1. Walk the ready queue in order, starting every task that fits into what is free (elastic
//     tasks take up to their max of what is free, at least their min).
//  2. The first task that does not fit becomes the head. It gets a reservation: the shadow
//     time is when enough running attempts will have ended (by their estimate or time limit)
//     for it to fit; "extra" is what will still be free at the shadow time beyond its need.
//     When the shadow time is unknown (a running attempt has neither estimate nor limit), the
//     head reserves everything that is free now, up to its need.
//  3. Keep walking at most `backfill_depth` further tasks: one may start if it fits into what
//     is free now and either ends (by its estimate or time limit) before the shadow time, or
//     fits into the extra without touching the head's reservation.
//  4. Stop at the start-slot limit or when nothing is free.
#pragma once

#include "core/policy/scheduling_policy.h"

namespace allot {

class PriorityBackfillPolicy final : public SchedulingPolicy {
 public:
  explicit PriorityBackfillPolicy(int backfill_depth = 256) : backfill_depth_(backfill_depth) {}
  void Choose(const PolicyInput& input, std::vector<Choice>* out,
              std::optional<Blocked>* blocked) override;

 private:
  int backfill_depth_;
};

}  // namespace allot
