// LocalChannel: the WorkerChannel of `allot run`: the one embedded worker is this process.
// Launches go to the LocalWorker (task directory, environment, the ProcessLauncher with the
// attempt's CPUs); exits are reaped from the launcher when its ReadyFd is readable; usage is
// sampled when the launcher says a sample is due. No ports, no threads.
// Loop thread only. Everything must outlive the channel.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/scheduler.h"
#include "exec/process_launcher.h"
#include "server/worker_channel.h"
#include "worker/local_worker.h"

namespace allot {

class LocalChannel final : public WorkerChannel {
 public:
  // `log`: lines for people (a signal that could not be delivered).
  LocalChannel(Scheduler* scheduler, ProcessLauncher* launcher, LocalWorker* worker,
               const Clock* clock, std::function<void(const std::string&)> log);

  std::vector<PollSource> PollSources() const override;
  std::optional<TimePoint> NextDeadline() const override { return launcher_->NextSampleDue(); }
  void Receive() override;
  void Act(Outbox* out, bool journal_failed) override;
  void Send() override {}
  void Shutdown(bool kill) override {}

 private:
  void SendSignal(const SignalOrder& order);

  Scheduler* scheduler_;
  ProcessLauncher* launcher_;
  LocalWorker* worker_;
  const Clock* clock_;
  std::function<void(const std::string&)> log_;
  std::vector<ProcessExit> exits_;  // scratch
  std::vector<RunMetric> metrics_;  // scratch
};

}  // namespace allot
