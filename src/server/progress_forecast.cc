#include "server/progress_forecast.h"

#include <algorithm>
#include <utility>

#include "common/rng.h"
#include "core/forecast/forecaster.h"

namespace allot {

ProgressForecast::~ProgressForecast() {
  if (running_.valid()) running_.wait();
}

void ProgressForecast::TakeUp() {
  std::optional<ForecastResult> result = running_.get();
  if (result) {
    latest_ = std::move(result);
    latest_at_ = running_since_;
  }
}

void ProgressForecast::Wait() {
  if (running_.valid()) TakeUp();
}

void ProgressForecast::Update(const Scheduler& scheduler, TimePoint now) {
  if (running_.valid()) {
    if (running_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return;
    TakeUp();
  }
  if (next_ && now < *next_) return;
  // Until a forecast succeeds (no task's duration could be told yet), try again sooner.
  next_ = now + (latest_ ? options_.every : options_.retry_every);
  int64_t unfinished = 0;
  const auto& counts = scheduler.counts();
  for (int st = 0; st < kTaskStateCount; ++st) {
    if (!IsTerminal(static_cast<TaskState>(st))) unfinished += counts[static_cast<size_t>(st)];
  }
  if (unfinished == 0 || static_cast<size_t>(unfinished) > options_.max_tasks) {
    latest_.reset();  // (a snapshot of a huge campaign is not taken at all)
    return;
  }
  ForecastInput input = scheduler.ForecastSnapshot();
  if (input.tasks.empty() || input.tasks.size() > options_.max_tasks || input.workers.empty()) {
    latest_.reset();
    return;
  }
  running_since_ = now;
  running_ = std::async(
      std::launch::async,
      [input = std::move(input), store = scheduler.profiles(),
       runs = options_.runs]() -> std::optional<ForecastResult> {
        SplitMixRng rng(0x616c6c6f74);  // "allot": the same state gives the same forecast
        ForecastOptions fo;
        fo.runs = runs;
        // It shares the CPUs with the tasks: 20k tasks get 5 runs (~0.5 s of one core every
        // `every`), off the loop's thread.
        fo.max_task_runs = 100'000;
        fo.min_runs = 5;
        Result<ForecastResult> r = RunForecast(input, store, rng, fo);
        if (!r.ok()) return std::nullopt;  // no duration source yet: no forecast
        return std::move(r).value();
      });
}

std::optional<ProgressForecast::Remaining> ProgressForecast::Left(TimePoint now) const {
  if (!latest_) return std::nullopt;
  const Duration since = std::chrono::duration_cast<Duration>(now - latest_at_);
  return Remaining{std::max(Duration(0), latest_->finish_p50 - since),
                   std::max(Duration(0), latest_->finish_p90 - since)};
}

}  // namespace allot
