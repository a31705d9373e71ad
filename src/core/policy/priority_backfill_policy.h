// PriorityBackfillPolicy: priority order, FIFO among equals, with EASY backfilling so a large
// high-priority task is never starved by a stream of small ones.
//
// Algorithm, per scheduling pass:
//  1. Walk the ready queue in order, starting every task that fits into what is free (elastic
//     tasks take up to their max of what is free, at least their min).
//     Packing: when the task in turn would leave cores free and a wider task of the same
//     priority behind it (before any task that does not fit, kPackLookahead tasks deep per
//     pass) fits into what is free now, that wider task starts first; the one in turn then
//     starts beside it if it still fits, else it becomes the head (below). Cores free
//     together are what a wide task needs and narrow ones do not: a narrow task starts on any
//     core as it frees, a wide one only when enough free at once, which otherwise happens
//     only after a drain (idle cores while the reservation waits for the rest). A task with
//     an expected run time R is passed over only by a task expected to end within its
//     patience (patience x R, counted from when it was first held back); without any R (no
//     history in the campaign yet: a task without an estimate gets the pooled one once
//     three attempts succeeded) it may be passed over freely; never with patience 0. (No
//     limit on how much longer than R the wider task may be: one made it depend on learned
//     estimates that drift, see docs/PERFORMANCE.md.)
//  2. The first task that does not fit becomes the head. It gets a reservation: the shadow
//     time is when enough running attempts will have ended (by their estimate or time limit)
//     for it to fit; "extra" is what will still be free at the shadow time beyond its need.
//     When the shadow time is unknown (a running attempt has neither estimate nor limit), the
//     head reserves everything that is free now, up to its need.
//     The head's patience: a head with an expected run time R (its estimate, declared or
//     learned from its profile, or its time limit) accepts to start as late as
//     blocked_since + patience x R, where blocked_since is when it first was held back (the
//     blocked head, or passed over in step 1). Its reservation time is the later of the
//     shadow time and that. Patience 0 (or no R): strict EASY, the reservation is at the
//     shadow time.
//  3. Keep walking at most `backfill_depth` further tasks: one may start if it fits into what
//     is free now and either ends (by its estimate or time limit) by the reservation time, or
//     fits into the extra without touching the head's reservation.
//  4. Stop at the start-slot limit or when nothing is free.
//
// Why patience (docs/PERFORMANCE.md, "Scheduling quality"): without usable estimates strict
// EASY idles the cores a wide head waits for each time one frees, once per wide task; with
// patience the narrow tasks behind it fill them for a bounded while, and the wide tasks that
// bubble up meanwhile then run back to back after one drain. Packing removes most of the
// remaining drains: wide tasks take the cores a wide task frees. The bound: as long as
// backfilled tasks end by their estimates, a task starts at most patience x R later than the
// work already in front of it lets it.
//
// State: the time each held-back task was first held back (a few entries; dropped when it
// starts). Not thread-safe; deterministic given the same sequence of inputs.
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

  static constexpr double kDefaultPatience = 8.0;
  // How far behind the task in turn step 1 looks for a wider task, per pass.
  static constexpr int kPackLookahead = 64;

 private:
  // When `head` first was held back; records `now` the first time.
  TimePoint BlockedSince(TaskIndex head, TimePoint now);
  // Whether `wider` may start ahead of `task` now (step 1, packing).
  bool MayPassOver(const PolicyInput& in, TaskIndex task, TaskIndex wider);
  void PassedOver(TaskIndex task, TimePoint now);
  void Started(TaskIndex task);

  int backfill_depth_;
  double patience_;
  std::unordered_map<TaskIndex, TimePoint> blocked_since_;
};

}  // namespace allot
