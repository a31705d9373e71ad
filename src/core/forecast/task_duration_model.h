// TaskDurationModel: how long one task may take, as a distribution to draw from: either an
// empirical one (its profile's successful walls: a bootstrap draw picks one uniformly) or a
// fixed duration (an estimate, a limit or a median). Draws are capped at the task's time
// limit, because an attempt is killed there (the retry that may follow is not modelled).
//
// A running task's remaining time is drawn conditionally on how long it has run:
//   - empirical: uniformly among the walls longer than `elapsed`, minus `elapsed`;
//   - fixed d > elapsed: d - elapsed;
//   - overrun (the task has outlived every wall, or its fixed duration): a draw from the
//     residuals above the median, {w - P50 : w > P50}, on the view that a task already in the
//     tail goes on about as long as tails do; 10% of P50 where there are no residuals
//     (a fixed duration or identical walls). Then capped at time_limit - elapsed.
//
// Holds a pointer to the walls: the ProfileStats they come from must outlive the model and
// not change meanwhile. Copyable, 32 bytes. Draws are O(1), conditional ones O(log N).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/rng.h"
#include "common/time.h"

namespace allot {

class TaskDurationModel {
 public:
  // REQUIRES: sorted_walls_us non-empty, ascending, values >= 0.
  static TaskDurationModel Empirical(const std::vector<double>* sorted_walls_us,
                                     std::optional<Duration> time_limit);
  static TaskDurationModel Fixed(Duration d, std::optional<Duration> time_limit);

  // A full attempt's duration, in microseconds.
  int64_t DrawMicros(Rng& rng) const;
  // The rest of an attempt that has run `elapsed_us`, in microseconds (>= 0).
  int64_t DrawRemainingMicros(int64_t elapsed_us, Rng& rng) const;

 private:
  TaskDurationModel(const std::vector<double>* walls, int64_t fixed_us, int64_t limit_us)
      : walls_(walls), fixed_us_(fixed_us), limit_us_(limit_us) {}
  int64_t Capped(int64_t us) const;
  int64_t OverrunMicros(Rng& rng) const;

  const std::vector<double>* walls_;  // nullptr: fixed
  int64_t fixed_us_;
  int64_t limit_us_;  // < 0: none
};

}  // namespace allot
