// FailureInjector: carries out a FailureInjection (failure_injection.h) in `allot run`: as a
// loop observer it kills a random running attempt, or every running attempt (the worker's
// failure: they are lost), at the times of two seeded Poisson processes; through the
// LocalWorker's seal hook it corrupts checkpoint sets. Every injected failure is a line in the
// run's output ("allot: injected: ..."), so a test can count them. Loop thread only.
#pragma once

#include <functional>
#include <optional>
#include <random>
#include <string>

#include "common/clock.h"
#include "core/scheduler.h"
#include "model/checkpoint_report.h"
#include "server/failure_injection.h"
#include "server/server_loop.h"
#include "worker/local_worker.h"

namespace allot {

class FailureInjector final : public LoopObserver {
 public:
  // All pointers must outlive the injector; it installs its seal hook on `worker`.
  FailureInjector(const FailureInjection& spec, Scheduler* scheduler, LocalWorker* worker,
                  const Clock* clock, std::function<void(const std::string&)> log);

  void OnTurn() override;
  std::optional<TimePoint> NextDue() const override;

  // Flips one byte of one non-empty file of the set at `set_dir`, with the spec's probability.
  void MaybeCorrupt(const std::string& set_dir, const CheckpointManifest& manifest);

 private:
  std::optional<TimePoint> NextAfter(TimePoint from, double per_second);
  void KillOneTask();
  void KillTheWorker();

  FailureInjection spec_;
  Scheduler* scheduler_;
  LocalWorker* worker_;
  const Clock* clock_;
  std::function<void(const std::string&)> log_;
  std::mt19937_64 rng_;
  std::optional<TimePoint> next_task_kill_;
  std::optional<TimePoint> next_worker_kill_;
};

}  // namespace allot
