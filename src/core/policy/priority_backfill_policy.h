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
//     The head's patience: a head with an expected run time R (its estimate, declared or
//     learned from its profile, or its time limit) accepts to start as late as
//     blocked_since + patience x R, where blocked_since is when it first was the blocked
//     head. Its reservation time is the later of the shadow time and that. Patience 0 (or no
//     R): strict EASY, the reservation is at the shadow time.
//  3. Keep walking at most `backfill_depth` further tasks: one may start if it fits into what
//     is free now and either ends (by its estimate or time limit) by the reservation time, or
//     fits into the extra without touching the head's reservation.
//  4. Stop at the start-slot limit or when nothing is free.
//
// Why patience (docs/PERFORMANCE.md, "Scheduling quality"): without usable estimates strict
// EASY idles the cores a wide head waits for each time one frees, once per wide task; with
// patience the narrow tasks behind it fill them for a bounded while, and the wide tasks that
// bubble up meanwhile then run back to back after one drain. The bound: as long as backfilled
// tasks end by their estimates, a head starts at most patience x R later than the work
// already in front of it lets it.
//
// State: the time each head was first blocked (a few entries; dropped when it starts). Not
// thread-safe; deterministic given the same sequence of inputs.
#pragma once

#include <unordered_map>

#include "core/policy/scheduling_policy.h"

namespace allot {

class PriorityBackfillPolicy final : public SchedulingPolicy {
 public:
  // Patience 0: strict EASY. REQUIRES: backfill_patience >= 0.
  explicit PriorityBackfillPolicy(int backfill_depth = 256,
                                  double backfill_patience = kDefaultPatience)
      : backfill_depth_(backfill_depth), patience_(backfill_patience) {}
  void Choose(const PolicyInput& input, std::vector<Choice>* out,
              std::optional<Blocked>* blocked) override;

  static constexpr double kDefaultPatience = 4.0;

 private:
  // When `head` first was the blocked head; records `now` the first time.
  TimePoint BlockedSince(TaskIndex head, TimePoint now);
  void Started(TaskIndex task);

  int backfill_depth_;
  double patience_;
  std::unordered_map<TaskIndex, TimePoint> blocked_since_;
};

}  // namespace allot
