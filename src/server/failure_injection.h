// FailureInjection: what `allot run --inject-failures SPEC` breaks on purpose, and how often,
// so that a campaign's survival (checkpoints, retries, resume) can be tested without waiting
// for hardware to fail. SPEC is comma-separated KEY=VALUE:
//   tasks=RATE        attempts killed (SIGKILL to one running attempt, chosen at random): a
//                     crash of the task, a failure that its max_retries covers
//   workers=RATE      the worker killed: every running attempt SIGKILLed and lost at once (a
//                     node failure; they run again without using retries)
//   corrupt=P         each checkpoint set sealed is corrupted with probability P (one byte of
//                     one of its files flipped), to be caught by its manifest at the restart
//   commit-delay=P:D  each journal commit is delayed by D with probability P (a slow disk)
//   seed=N            the random sequence (default 1): the same seed, the same choices
// RATE is N/s, N/min or N/h: the mean of a Poisson process over the run's wall time.
// Plain data; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/time.h"

namespace allot {

struct FailureInjection {
  double task_kills_per_s = 0;
  double worker_kills_per_s = 0;
  double corrupt_probability = 0;
  double commit_delay_probability = 0;
  Duration commit_delay{0};
  uint64_t seed = 1;
  bool any() const {
    return task_kills_per_s > 0 || worker_kills_per_s > 0 || corrupt_probability > 0 ||
           commit_delay_probability > 0;
  }
};

// InvalidArgument naming the part of `spec` that is wrong and what is accepted.
Result<FailureInjection> ParseFailureInjection(std::string_view spec);
// "tasks 2/min, workers 0.5/min, corrupt 0.2, commit delay 300ms at 0.05, seed 7".
std::string DescribeFailureInjection(const FailureInjection& f);

}  // namespace allot
