// Forecast: when will the queued and running work finish, and at what cost in core-hours,
// as P50 and P90. Monte Carlo over PolicySimulator (the Scheduler's own policy):
//   1. Each task gets a TaskDurationModel, from the first source that has something
//      (DurationSource): its profile's SurvivalCurve when the profile has at least
//      kMinSamplesToLearn successful walls (the running attempts of the profile enter it as
//      censored observations: without them the short attempts, which end first, would make
//      the forecast too short), else its time_estimate, else, for a profile with one or two
//      walls, their log-mean scaled by the spread the profiles with history have around
//      theirs (a stage that has barely started is not drawn from the other stages' walls),
//      else its time_limit, else the pooled curve of every profile (walls and running
//      attempts).
//   2. The policy sees each task's time_estimate; a queued task that has none gets its
//      profile's learned one (the P90 of its walls), as Scheduler::ExpectedRuntimeOf gives
//      it when the policy looks at it.
//   3. Each run draws every task's duration (a running task's remaining time, conditioned on
//      its elapsed time) and simulates the schedule once.
//   4. The result's quantiles are taken over the runs' makespans and core-hours separately;
//      the finish is never below the lower bound (ForecastResult::lower_bound).
//
// Deterministic: the same input, store contents and Rng state give the same result. Reads
// `store` only during the call. Cost: runs x (n draws + one simulation), where runs is
// options.runs, or fewer for a large campaign (ForecastOptions::max_task_runs); see
// bench/forecast_bench.cc and docs/PERFORMANCE.md for the measured time.
#pragma once

#include "common/result.h"
#include "common/rng.h"
#include "core/forecast/forecast_input.h"
#include "core/forecast/forecast_result.h"
#include "core/profile/profile_store.h"

namespace allot {

// InvalidArgument for a malformed input (see PolicySimulator::Create) or runs <= 0;
// FailedPrecondition naming the first task that has no duration source at all (no history,
// estimate or limit, and no attempt of any profile has succeeded yet).
Result<ForecastResult> RunForecast(const ForecastInput& input, const ProfileStore& store, Rng& rng,
                                   const ForecastOptions& options = {});

}  // namespace allot
