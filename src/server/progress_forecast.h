// ProgressForecast: the live ETA of `allot run`'s progress line, from the forecast model
// (core/forecast: each unfinished task's duration from its profile's history, else its
// time_estimate or time_limit, the schedule simulated on the workers' cores) instead of the
// rate of tasks done so far, which misleads whenever tasks differ in length or the long ones
// come last.
//
// Every `every` (`retry_every` until one succeeded) it takes a snapshot of the scheduler (Scheduler::ForecastSnapshot and
// profiles(), O(tasks), on the calling thread) and runs the forecast on a thread of its own,
// so the loop never waits for it; the latest result counts down from when it was taken.
// The forecast simulates the Scheduler's policy (core/forecast/policy_simulator.h), so a run
// costs about what the live scheduling passes cost; large campaigns get fewer runs.
// Campaigns with more than `max_tasks` unfinished tasks, or with a task nothing can say the
// duration of yet, get no forecast (Remaining() is empty). One thread calls it.
#pragma once

#include <future>
#include <optional>

#include "common/time.h"
#include "core/forecast/forecast_result.h"
#include "core/scheduler.h"

namespace allot {

struct ProgressForecastOptions {
  Duration every = std::chrono::seconds(5);
  Duration retry_every = std::chrono::seconds(1);  // while no forecast has succeeded
  size_t max_tasks = 20000;
  int runs = 20;
};

class ProgressForecast {
 public:
  explicit ProgressForecast(ProgressForecastOptions options = {}) : options_(options) {}
  // Waits for a forecast still running.
  ~ProgressForecast();
  ProgressForecast(const ProgressForecast&) = delete;
  ProgressForecast& operator=(const ProgressForecast&) = delete;

  // Takes up a finished forecast; starts the next one when due and none runs.
  void Update(const Scheduler& scheduler, TimePoint now);
  // Waits for the forecast under way, if any, and takes it up (for tests and the end).
  void Wait();

  // The P50 and P90 of the time left at `now`: the latest forecast less the time since its
  // snapshot (not below zero). Empty until a forecast succeeded.
  struct Remaining {
    Duration p50{0};
    Duration p90{0};
  };
  std::optional<Remaining> Left(TimePoint now) const;

 private:
  void TakeUp();

  ProgressForecastOptions options_;
  std::optional<TimePoint> next_;  // when the next snapshot is due; empty: at once
  std::future<std::optional<ForecastResult>> running_;
  TimePoint running_since_;
  std::optional<ForecastResult> latest_;
  TimePoint latest_at_;
};

}  // namespace allot
