#include "core/forecast/duration_models.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <string_view>

#include "core/profile/learned_request.h"

namespace allot {
namespace {

// Walls of 0 us (an attempt too short to measure) count as 1 us.
double LogMicros(double us) { return std::log(std::max(us, 1.0)); }

double MeanLog(const std::vector<double>& walls_us) {
  double sum = 0;
  for (double w : walls_us) sum += LogMicros(w);
  return sum / static_cast<double>(walls_us.size());
}

}  // namespace

Result<DurationModels> DurationModels::Build(const ForecastInput& input,
                                             const ProfileStore& store) {
  DurationModels m;
  const size_t n = input.tasks.size();
  // The censored observations: how long each running attempt has lasted, by profile.
  std::map<std::string_view, std::vector<double>> censored;
  std::vector<double> all_censored;
  for (const ForecastTask& t : input.tasks) {
    if (t.state != ForecastTaskState::kRunning) continue;
    const double e = static_cast<double>(std::max<int64_t>(0, t.elapsed.count()));
    censored[t.profile].push_back(e);
    all_censored.push_back(e);
  }
  // A curve per profile with enough walls (built on first use), and the pooled one.
  std::map<std::string_view, const SurvivalCurve*> by_profile;
  std::map<std::string_view, std::optional<Duration>> learned_estimate;
  std::map<std::string_view, const SurvivalCurve*> thin_by_profile;
  const SurvivalCurve* pooled = nullptr;
  bool pooled_built = false;
  auto curve_of = [&](const std::string& profile) -> const SurvivalCurve* {
    if (profile.empty()) return nullptr;
    auto it = by_profile.find(profile);
    if (it != by_profile.end()) return it->second;
    const ProfileStats* stats = store.Find(profile);
    const SurvivalCurve* curve = nullptr;
    std::optional<Duration> estimate;
    if (stats != nullptr && stats->window_successes() >= kMinSamplesToLearn) {
      auto c = censored.find(profile);
      m.curves_.emplace_back(stats->successful_walls_us().sorted(),
                             c == censored.end() ? std::vector<double>() : c->second);
      curve = &m.curves_.back();
      if (std::optional<LearnedRequest> learned = LearnRequest(*stats)) {
        estimate = learned->time_estimate;
      }
    }
    by_profile.emplace(profile, curve);
    learned_estimate.emplace(profile, estimate);
    return curve;
  };
  // The spread of durations around their profile's typical one, from every profile with
  // enough walls: log(wall) - the mean log wall of its profile (built on first use).
  std::vector<double> log_residuals;
  bool residuals_built = false;
  auto thin_curve_of = [&](const std::string& profile) -> const SurvivalCurve* {
    if (profile.empty()) return nullptr;
    auto it = thin_by_profile.find(profile);
    if (it != thin_by_profile.end()) return it->second;
    const SurvivalCurve* curve = nullptr;
    const ProfileStats* stats = store.Find(profile);
    const std::vector<double>* own =
        stats == nullptr ? nullptr : &stats->successful_walls_us().sorted();
    if (own != nullptr && !own->empty()) {
      if (!residuals_built) {
        residuals_built = true;
        for (const auto& [name, other] : store.profiles()) {
          if (other.window_successes() < kMinSamplesToLearn) continue;
          const std::vector<double>& w = other.successful_walls_us().sorted();
          if (w.empty()) continue;
          const double mean = MeanLog(w);
          for (double x : w) log_residuals.push_back(LogMicros(x) - mean);
        }
      }
      // Its own typical duration with the others' spread; alone, its own walls.
      std::vector<double> walls;
      if (log_residuals.empty()) {
        walls = *own;
      } else {
        const double mean = MeanLog(*own);
        walls.reserve(log_residuals.size());
        for (double r : log_residuals) walls.push_back(std::exp(mean + r));
      }
      auto c = censored.find(profile);
      m.curves_.emplace_back(std::move(walls),
                             c == censored.end() ? std::vector<double>() : c->second);
      curve = &m.curves_.back();
    }
    thin_by_profile.emplace(profile, curve);
    return curve;
  };

  // What the policy assumes of a task with neither (Scheduler::ExpectedRuntimeOf).
  const std::optional<Duration> pooled_estimate = store.PooledEstimate();
  m.models_.reserve(n);
  m.estimates_.resize(n);
  for (size_t t = 0; t < n; ++t) {
    const ForecastTask& task = input.tasks[t];
    const SurvivalCurve* curve = curve_of(task.profile);
    // A queued task without an estimate of its own gets its profile's learned one when the
    // policy looks at it (Scheduler::ExpectedRuntimeOf); a running attempt keeps what it
    // started with.
    m.estimates_[t] = task.time_estimate;
    if (!m.estimates_[t] && task.state == ForecastTaskState::kQueued && !task.profile.empty()) {
      m.estimates_[t] = learned_estimate[task.profile];
    }
    // Neither its own nor its profile's: the policy goes by the campaign's pooled one, for
    // queued and running tasks alike (a time limit still bounds the task; the scheduler
    // looks at the limit first).
    if (!m.estimates_[t] && !task.time_limit) m.estimates_[t] = pooled_estimate;
    if (curve != nullptr) {
      m.models_.push_back(TaskDurationModel::Learned(curve, task.time_limit));
      ++m.sources_.profile_history;
      continue;
    }
    if (task.time_estimate) {
      m.models_.push_back(TaskDurationModel::Fixed(*task.time_estimate, task.time_limit));
      ++m.sources_.time_estimate;
      continue;
    }
    if (const SurvivalCurve* thin = thin_curve_of(task.profile)) {
      m.models_.push_back(TaskDurationModel::Learned(thin, task.time_limit));
      ++m.sources_.thin_history;
      continue;
    }
    if (task.time_limit) {
      m.models_.push_back(TaskDurationModel::Fixed(*task.time_limit, task.time_limit));
      ++m.sources_.time_limit;
      continue;
    }
    if (!pooled_built) {
      pooled_built = true;
      std::vector<double> walls;
      for (const auto& [name, stats] : store.profiles()) {
        const std::vector<double>& w = stats.successful_walls_us().sorted();
        walls.insert(walls.end(), w.begin(), w.end());
      }
      if (!walls.empty()) {
        m.curves_.emplace_back(std::move(walls), all_censored);
        pooled = &m.curves_.back();
      }
    }
    if (pooled == nullptr) {
      return Status::FailedPrecondition(
          "forecast task " + std::to_string(t) + " (profile '" + task.profile +
          "'): no history, time_estimate or time_limit, and no attempt has succeeded yet");
    }
    m.models_.push_back(TaskDurationModel::Learned(pooled, task.time_limit));
    ++m.sources_.pooled_history;
  }
  return m;
}

}  // namespace allot
