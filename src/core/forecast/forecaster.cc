#include "core/forecast/forecaster.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/forecast/list_schedule_simulator.h"
#include "core/forecast/task_duration_model.h"
#include "core/profile/learned_request.h"

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

// The history of one profile, looked up once per run of equal names.
class HistoryLookup {
 public:
  explicit HistoryLookup(const ProfileStore& store) : store_(store) {}
  const std::vector<double>* Walls(std::string_view profile) {
    if (profile.empty()) return nullptr;
    if (!cached_ || profile != cached_name_) {
      const ProfileStats* stats = store_.Find(profile);
      cached_walls_ = stats != nullptr && stats->window_successes() >= kMinSamplesToLearn
                          ? &stats->successful_walls_us().sorted()
                          : nullptr;
      cached_name_ = profile;
      cached_ = true;
    }
    return cached_walls_;
  }

 private:
  const ProfileStore& store_;
  bool cached_ = false;
  std::string_view cached_name_;
  const std::vector<double>* cached_walls_ = nullptr;
};

}  // namespace

Result<ForecastResult> RunForecast(const ForecastInput& input, const ProfileStore& store, Rng& rng,
                                   const ForecastOptions& options) {
  if (options.runs <= 0) return Status::InvalidArgument("forecast runs must be positive");
  ALLOT_ASSIGN_OR_RETURN(ListScheduleSimulator sim, ListScheduleSimulator::Create(input));

  ForecastResult result;
  result.runs = options.runs;
  const size_t n = input.tasks.size();
  std::vector<TaskDurationModel> models;
  models.reserve(n);
  HistoryLookup history(store);
  const std::optional<Duration> global_median = store.GlobalMedianWall();
  for (size_t t = 0; t < n; ++t) {
    const ForecastTask& task = input.tasks[t];
    if (const std::vector<double>* walls = history.Walls(task.profile)) {
      models.push_back(TaskDurationModel::Empirical(walls, task.time_limit));
      ++result.sources.profile_history;
    } else if (task.time_estimate) {
      models.push_back(TaskDurationModel::Fixed(*task.time_estimate, task.time_limit));
      ++result.sources.time_estimate;
    } else if (task.time_limit) {
      models.push_back(TaskDurationModel::Fixed(*task.time_limit, task.time_limit));
      ++result.sources.time_limit;
    } else if (global_median) {
      models.push_back(TaskDurationModel::Fixed(*global_median, std::nullopt));
      ++result.sources.global_median;
    } else {
      return Status::FailedPrecondition(
          "forecast task " + std::to_string(t) + " (profile '" + task.profile +
          "'): no history, time_estimate or time_limit, and no attempt has succeeded yet");
    }
  }

  std::vector<int64_t> durations(n);
  std::vector<double> makespans, core_hours;
  makespans.reserve(options.runs);
  core_hours.reserve(options.runs);
  for (int run = 0; run < options.runs; ++run) {
    for (size_t t = 0; t < n; ++t) {
      const ForecastTask& task = input.tasks[t];
      durations[t] =
          task.state == ForecastTaskState::kRunning
              ? models[t].DrawRemainingMicros(std::max<int64_t>(0, task.elapsed.count()), rng)
              : models[t].DrawMicros(rng);
    }
    ListScheduleSimulator::Outcome outcome = sim.Run(durations);
    makespans.push_back(static_cast<double>(outcome.makespan_us));
    core_hours.push_back(outcome.core_seconds / 3600.0);
    if (options.keep_makespans) result.makespans.push_back(Duration(outcome.makespan_us));
  }
  result.finish_p50 = Duration(std::llround(Quantile(makespans, 0.5)));
  result.finish_p90 = Duration(std::llround(Quantile(makespans, 0.9)));
  result.core_hours_p50 = Quantile(core_hours, 0.5);
  result.core_hours_p90 = Quantile(core_hours, 0.9);
  return result;
}

}  // namespace allot
