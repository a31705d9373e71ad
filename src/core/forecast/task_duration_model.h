// TaskDurationModel: how long one task may take, as a distribution to draw from: either a
// learned one (a SurvivalCurve: its profile's walls with the running attempts as censored
// observations) or a fixed duration (an estimate or a limit). Draws are capped at the task's
// time limit, because an attempt is killed there (the retry that may follow is not modelled).
//
// A running task's remaining time is drawn conditionally on how long it has run:
//   - learned: SurvivalCurve::DrawGiven(elapsed) - elapsed (the curve's mass above elapsed;
//     past every observation, an overrun: see there);
//   - fixed d > elapsed: d - elapsed; else an overrun of 10% of d.
// Then capped at time_limit - elapsed.
//
// Holds a pointer to the curve: it must outlive the model. Copyable, 24 bytes. Draws are
// O(log N).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/rng.h"
#include "common/time.h"
#include "core/forecast/survival_curve.h"

namespace allot {

class TaskDurationModel {
 public:
  // REQUIRES: curve != nullptr.
  static TaskDurationModel Learned(const SurvivalCurve* curve,
                                   std::optional<Duration> time_limit);
  static TaskDurationModel Fixed(Duration d, std::optional<Duration> time_limit);

  // A full attempt's duration, in microseconds.
  int64_t DrawMicros(Rng& rng) const;
  // The rest of an attempt that has run `elapsed_us`, in microseconds (>= 0).
  int64_t DrawRemainingMicros(int64_t elapsed_us, Rng& rng) const;

 private:
  TaskDurationModel(const SurvivalCurve* curve, int64_t fixed_us, int64_t limit_us)
      : curve_(curve), fixed_us_(fixed_us), limit_us_(limit_us) {}
  int64_t Capped(int64_t us) const;

  const SurvivalCurve* curve_;  // nullptr: fixed
  int64_t fixed_us_;
  int64_t limit_us_;  // < 0: none
};

}  // namespace allot
