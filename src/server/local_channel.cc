#include "server/local_channel.h"

#include <utility>

namespace allot {

LocalChannel::LocalChannel(Scheduler* scheduler, ProcessLauncher* launcher, LocalWorker* worker,
                           const Clock* clock, std::function<void(const std::string&)> log)
    : scheduler_(scheduler),
      launcher_(launcher),
      worker_(worker),
      clock_(clock),
      log_(std::move(log)) {}

std::vector<PollSource> LocalChannel::PollSources() const {
  std::vector<PollSource> sources;
  if (int fd = launcher_->ReadyFd(); fd >= 0) sources.push_back({nullptr, fd});
  if (int fd = worker_->ReadyFd(); fd >= 0) sources.push_back({nullptr, fd});
  if (int fd = worker_->MetricsFd(); fd >= 0) sources.push_back({nullptr, fd});
  return sources;
}

void LocalChannel::Receive() {
  if (auto due = launcher_->NextSampleDue(); due && *due <= clock_->Now()) launcher_->Sample();
  exits_.clear();
  launcher_->CollectExits(&exits_);
  const int64_t now_us = clock_->WallMicros();
  size_t ended = 0;
  for (size_t i = 0; i < exits_.size(); ++i) {
    // Held for its validation or the hashing of its outputs: it comes back from CollectReady.
    if (!worker_->Finish(&exits_[i], now_us)) continue;
    if (i != ended) exits_[ended] = std::move(exits_[i]);  // never a self-move: it empties strings
    ++ended;
  }
  exits_.resize(ended);
  worker_->CollectReady(&exits_);
  // An attempt's metrics (Finish read its last ones) before its end.
  metrics_.clear();
  worker_->CollectMetrics(now_us, &metrics_);
  for (RunMetric& m : metrics_) scheduler_->OnMetric(m.run, std::move(m.point));
  for (ProcessExit& e : exits_) scheduler_->OnAttemptExited(e.run_id, e.usage);
}

void LocalChannel::Act(Outbox* out, bool journal_failed) {
  // Launch failures put new events into the outbox: take the orders out first.
  std::vector<LaunchOrder> launches;
  launches.swap(out->launches);
  for (const LaunchOrder& l : launches) {
    if (journal_failed) {
      scheduler_->OnLaunchFailed(l.execution, Status::Unavailable("the journal failed"));
      continue;
    }
    AttemptPlan plan;
    plan.run_id = l.execution;
    plan.spec = &scheduler_->spec(l.task);
    plan.attempt = l.attempt;
    plan.cpus = &l.allocation.cpus;
    plan.gpus = &l.allocation.gpus;
    plan.memory_limit_bytes = l.allocation.memory_bytes;
    std::vector<std::string> inputs;
    std::string dep_results;
    if (!plan.spec->depends_on.empty()) {
      inputs = scheduler_->InputsOf(l.task);
      plan.inputs = &inputs;
      dep_results = scheduler_->DepResultsOf(l.task);
      plan.dep_results = &dep_results;
    }
    Status s = worker_->Start(plan);
    if (!s.ok()) scheduler_->OnLaunchFailed(l.execution, s);
  }
  std::vector<SignalOrder> signals;
  signals.swap(out->signals);
  for (const SignalOrder& s : signals) SendSignal(s);
}

void LocalChannel::SendSignal(const SignalOrder& order) {
  // A group that is already gone is fine (the launcher says OK); anything else is worth a line.
  Status s = worker_->Signal(order.execution, order.signal);
  if (!s.ok()) {
    log_("cannot signal task " + scheduler_->id(TaskOfExecution(order.execution)) + ": " +
         s.ToString());
  }
}

}  // namespace allot
