// Forecast: when will the queued and running work finish, and at what cost in core-hours,
// as P50 and P90. Monte Carlo over ListScheduleSimulator:
//   1. Each task gets a TaskDurationModel, from the first source that has something
//      (DurationSource): its profile's successful walls when there are at least
//      kMinSamplesToLearn of them (bootstrap), else its time_estimate, else its time_limit,
//      else the store's global median wall.
//   2. Each run draws every task's duration (a running task's remaining time, conditioned on
//      its elapsed time; see TaskDurationModel) and simulates the schedule once.
//   3. The result's quantiles are taken over the runs' makespans and core-hours separately.
//
// Deterministic: the same input, store contents and Rng state give the same result. Reads
// `store` only during the call. Cost: options.runs x (n draws + one simulation); see
// bench/forecast_bench.cc for the measured rate.
#pragma once

#include "common/result.h"
#include "common/rng.h"
#include "core/forecast/forecast_input.h"
#include "core/forecast/forecast_result.h"
#include "core/profile/profile_store.h"

namespace allot {

// InvalidArgument for a malformed input (see ListScheduleSimulator::Create) or runs <= 0;
// FailedPrecondition naming the first task that has no duration source at all (no history,
// estimate or limit, and no attempt of any profile has succeeded yet).
Result<ForecastResult> RunForecast(const ForecastInput& input, const ProfileStore& store, Rng& rng,
                                   const ForecastOptions& options = {});

}  // namespace allot
