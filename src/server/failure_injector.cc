#include "server/failure_injector.h"

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <fmt/format.h>

#include "model/task_id.h"

namespace allot {

FailureInjector::FailureInjector(const FailureInjection& spec, Scheduler* scheduler,
                                 LocalWorker* worker, const Clock* clock,
                                 std::function<void(const std::string&)> log)
    : spec_(spec),
      scheduler_(scheduler),
      worker_(worker),
      clock_(clock),
      log_(std::move(log)),
      rng_(spec.seed) {
  const TimePoint now = clock_->Now();
  next_task_kill_ = NextAfter(now, spec_.task_kills_per_s);
  next_worker_kill_ = NextAfter(now, spec_.worker_kills_per_s);
  if (spec_.corrupt_probability > 0) {
    worker_->set_after_seal([this](const std::string& dir, const CheckpointManifest& m) {
      MaybeCorrupt(dir, m);
    });
  }
}

std::optional<TimePoint> FailureInjector::NextAfter(TimePoint from, double per_second) {
  if (per_second <= 0) return std::nullopt;
  std::exponential_distribution<double> gap(per_second);
  return from + Duration(static_cast<int64_t>(gap(rng_) * 1e6));
}

std::optional<TimePoint> FailureInjector::NextDue() const {
  if (!next_task_kill_) return next_worker_kill_;
  if (!next_worker_kill_) return next_task_kill_;
  return std::min(*next_task_kill_, *next_worker_kill_);
}

void FailureInjector::OnTurn() {
  if (scheduler_->stopping()) return;
  const TimePoint now = clock_->Now();
  if (next_worker_kill_ && *next_worker_kill_ <= now) {
    KillTheWorker();
    next_worker_kill_ = NextAfter(now, spec_.worker_kills_per_s);
  }
  if (next_task_kill_ && *next_task_kill_ <= now) {
    KillOneTask();
    next_task_kill_ = NextAfter(now, spec_.task_kills_per_s);
  }
}

void FailureInjector::KillOneTask() {
  std::vector<ExecutionId> running = scheduler_->RunningExecutions();
  if (running.empty()) return;
  std::sort(running.begin(), running.end());  // the seed, not the hash order, chooses
  const ExecutionId e = running[std::uniform_int_distribution<size_t>(0, running.size() - 1)(rng_)];
  const std::string ref = ExecutionRef(scheduler_->id(TaskOfExecution(e)), AttemptOfExecution(e));
  log_("injected: killed " + ref + " (SIGKILL)");
  (void)worker_->Signal(e, SIGKILL);  // its exit is a failure of the task's own
}

void FailureInjector::KillTheWorker() {
  std::vector<ExecutionId> running = scheduler_->RunningExecutions();
  std::sort(running.begin(), running.end());
  log_(fmt::format("injected: the worker failed; {} running attempt{} lost", running.size(),
                   running.size() == 1 ? "" : "s"));
  for (ExecutionId e : running) (void)worker_->Signal(e, SIGKILL);
  for (ExecutionId e : running) {
    scheduler_->OnAttemptLost(e, "injected failure: its worker was killed");
  }
}

void FailureInjector::MaybeCorrupt(const std::string& set_dir, const CheckpointManifest& m) {
  if (std::uniform_real_distribution<double>(0, 1)(rng_) >= spec_.corrupt_probability) return;
  std::vector<const CheckpointFile*> files;
  for (const CheckpointFile& f : m.files) {
    if (f.size > 0) files.push_back(&f);
  }
  if (files.empty()) return;
  const CheckpointFile& f =
      *files[std::uniform_int_distribution<size_t>(0, files.size() - 1)(rng_)];
  const int64_t offset = std::uniform_int_distribution<int64_t>(0, f.size - 1)(rng_);
  const std::string path = set_dir + "/" + f.path;
  int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return;
  unsigned char byte = 0;
  if (pread(fd, &byte, 1, offset) == 1) {
    byte ^= 0xFF;
    if (pwrite(fd, &byte, 1, offset) == 1) {
      log_(fmt::format("injected: corrupted checkpoint {} (one byte of {} at offset {})", set_dir,
                       f.path, offset));
    }
  }
  close(fd);
}

}  // namespace allot
