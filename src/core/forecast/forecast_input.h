// What a forecast is asked about: the unfinished tasks (queued or running) and the workers,
// as plain values the server copies out of its state. Tasks refer to each other and to
// workers by index, so the forecast never looks anything up by id.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/time.h"
#include "core/policy/priority_backfill_policy.h"

namespace allot {

enum class ForecastTaskState { kQueued, kRunning };

struct ForecastTask {
  std::string profile;  // empty: no profile (never has history)
  int cores = 1;      // the request's min, or what a running attempt holds
  int cores_max = 0;  // an elastic request's max; 0 (or below cores): not elastic
  int priority = 0;  // higher first, then lower index first (submission order)
  // Indices of the unfinished tasks this one waits for; dependencies that already ended are
  // left out. Only queued tasks wait; a running task's list is ignored.
  std::vector<int32_t> deps;
  ForecastTaskState state = ForecastTaskState::kQueued;
  Duration elapsed{0};  // running: how long the current attempt has run so far
  int worker = -1;      // running: index into ForecastInput::workers; -1: placed first-fit
  std::optional<Duration> time_estimate;  // as the policy sees it (the user's, or learned)
  std::optional<Duration> time_limit;  // an attempt ends at its limit at the latest
};

struct ForecastWorker {
  int cores = 0;
};

struct ForecastInput {
  std::vector<ForecastTask> tasks;
  std::vector<ForecastWorker> workers;
  // The Scheduler's options that change what starts (SchedulerOptions).
  int max_running = 0;  // 0: no limit
  int backfill_depth = 256;
  double backfill_patience = PriorityBackfillPolicy::kDefaultPatience;
};

struct ForecastOptions {
  int runs = 200;               // Monte Carlo runs at most; REQUIRES: > 0
  // Large campaigns get fewer runs: at most max_task_runs / tasks (their spread is narrow, and
  // each run costs the policy's passes over the whole queue), but never fewer than min_runs.
  int64_t max_task_runs = 200'000;
  int min_runs = 10;
  bool keep_makespans = false;  // return every run's makespan (for plots and tests)
};

}  // namespace allot
