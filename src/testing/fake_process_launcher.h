// FakeProcessLauncher: a ProcessLauncher with explicit triggers instead of processes.
// Launch records the request; Exit(run, code) makes that attempt's exit collectable.
// ReadyFd() becomes readable when an exit is pending. With auto_exit set, every launch exits at once with the given code (for driving whole
// event loops without real processes).
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "exec/process_launcher.h"

namespace allot {

class FakeProcessLauncher final : public ProcessLauncher {
 public:
  FakeProcessLauncher();
  ~FakeProcessLauncher() override;
  Status Launch(const LaunchRequest& request) override;
  Status Signal(RunId run_id, int signal) override;
  // An eventfd, readable while exits wait to be collected, so event loops wake up for them.
  int ReadyFd() const override { return ready_fd_; }
  void CollectExits(std::vector<ProcessExit>* exits) override;
  size_t running() const override { return running_.size(); }

  // Triggers.
  void Exit(RunId run_id, int exit_code);
  void Kill(RunId run_id, int signal);
  void set_auto_exit(std::optional<int> code) { auto_exit_ = code; }
  void FailNextLaunch(Status status) { next_launch_error_ = std::move(status); }

  // What happened.
  const std::vector<LaunchRequest>& launches() const { return launches_; }
  const std::vector<std::pair<RunId, int>>& signals() const { return signals_; }
  bool IsRunning(RunId run_id) const { return running_.count(run_id) > 0; }

 private:
  void Finish(RunId run_id, const AttemptUsage& usage);

  std::map<RunId, LaunchRequest> running_;
  std::vector<LaunchRequest> launches_;
  std::vector<std::pair<RunId, int>> signals_;
  std::vector<ProcessExit> pending_;
  std::optional<int> auto_exit_;
  Status next_launch_error_;
  int ready_fd_ = -1;
};

}  // namespace allot
