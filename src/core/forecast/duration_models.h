// DurationModels: each unfinished task's TaskDurationModel and the time_estimate its policy
// sees, built once per forecast from the profile store and the input itself (the running
// tasks are the censored observations of their profiles' SurvivalCurves). The order of the
// sources and the pooling are RunForecast's (forecaster.h, steps 1 and 2).
//
// Owns the curves the models point to: keep it alive while the models are drawn from (it
// does not move them when moved). Not thread-safe.
#pragma once

#include <deque>
#include <optional>
#include <vector>

#include "common/result.h"
#include "core/forecast/forecast_input.h"
#include "core/forecast/forecast_result.h"
#include "core/forecast/survival_curve.h"
#include "core/forecast/task_duration_model.h"
#include "core/profile/profile_store.h"

namespace allot {

class DurationModels {
 public:
  // FailedPrecondition naming the first task with no source at all.
  static Result<DurationModels> Build(const ForecastInput& input, const ProfileStore& store);

  const std::vector<TaskDurationModel>& models() const { return models_; }
  const std::vector<std::optional<Duration>>& policy_estimates() const { return estimates_; }
  const DurationSourceCounts& sources() const { return sources_; }

 private:
  std::deque<SurvivalCurve> curves_;  // stable addresses
  std::vector<TaskDurationModel> models_;
  std::vector<std::optional<Duration>> estimates_;
  DurationSourceCounts sources_;
};

}  // namespace allot
