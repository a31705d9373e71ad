#include "core/forecast/forecaster.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "core/forecast/duration_models.h"
#include "core/forecast/policy_simulator.h"

namespace allot {
namespace {

// R-7 quantile of `values` (sorted in place).
double Quantile(std::vector<double>& values, double q) {
  std::sort(values.begin(), values.end());
  double rank = q * static_cast<double>(values.size() - 1);
  size_t lo = static_cast<size_t>(std::floor(rank));
  size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (values[hi] - values[lo]) * (rank - static_cast<double>(lo));
}

}  // namespace

Result<ForecastResult> RunForecast(const ForecastInput& input, const ProfileStore& store, Rng& rng,
                                   const ForecastOptions& options) {
  if (options.runs <= 0) return Status::InvalidArgument("forecast runs must be positive");
  ALLOT_ASSIGN_OR_RETURN(DurationModels models, DurationModels::Build(input, store));
  ALLOT_ASSIGN_OR_RETURN(PolicySimulator sim,
                         PolicySimulator::Create(input, models.policy_estimates()));

  ForecastResult result;
  const size_t n = input.tasks.size();
  int runs = options.runs;
  if (n > 0 && options.max_task_runs > 0) {
    const int64_t affordable = options.max_task_runs / static_cast<int64_t>(n);
    const int64_t fewest = std::min(options.min_runs, runs);
    runs = static_cast<int>(std::clamp<int64_t>(affordable, fewest, runs));
  }
  result.runs = runs;
  result.sources = models.sources();
  std::vector<int64_t> durations(n);
  std::vector<double> makespans, core_seconds;
  makespans.reserve(runs);
  core_seconds.reserve(runs);
  for (int run = 0; run < runs; ++run) {
    for (size_t t = 0; t < n; ++t) {
      const ForecastTask& task = input.tasks[t];
      const TaskDurationModel& m = models.models()[t];
      durations[t] = task.state == ForecastTaskState::kRunning
                         ? m.DrawRemainingMicros(std::max<int64_t>(0, task.elapsed.count()), rng)
                         : m.DrawMicros(rng);
    }
    PolicySimulator::Outcome outcome = sim.Run(durations);
    makespans.push_back(static_cast<double>(outcome.makespan_us));
    core_seconds.push_back(outcome.core_seconds);
    if (options.keep_makespans) result.makespans.push_back(Duration(outcome.makespan_us));
  }
  int64_t total_cores = 0;
  for (const ForecastWorker& w : input.workers) total_cores += std::max(0, w.cores);
  if (total_cores > 0) {
    const double mean_core_seconds =
        std::accumulate(core_seconds.begin(), core_seconds.end(), 0.0) / runs;
    result.lower_bound = Duration(std::llround(mean_core_seconds * 1e6 / total_cores));
  }
  result.finish_p50 =
      std::max(result.lower_bound, Duration(std::llround(Quantile(makespans, 0.5))));
  result.finish_p90 =
      std::max(result.finish_p50, Duration(std::llround(Quantile(makespans, 0.9))));
  result.core_hours_p50 = Quantile(core_seconds, 0.5) / 3600.0;
  result.core_hours_p90 = Quantile(core_seconds, 0.9) / 3600.0;
  return result;
}

}  // namespace allot
