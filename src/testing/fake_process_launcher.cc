#include "testing/fake_process_launcher.h"

namespace allot {

Status FakeProcessLauncher::Launch(const LaunchRequest& request) {
  if (!next_launch_error_.ok()) {
    Status s = next_launch_error_;
    next_launch_error_ = Status::Ok();
    return s;
  }
  launches_.push_back(request);
  running_[request.run_id] = request;
  if (auto_exit_) Exit(request.run_id, *auto_exit_);
  return Status::Ok();
}

Status FakeProcessLauncher::Signal(RunId run_id, int signal) {
  signals_.emplace_back(run_id, signal);
  return Status::Ok();
}

void FakeProcessLauncher::CollectExits(std::vector<ProcessExit>* exits) {
  exits->insert(exits->end(), pending_.begin(), pending_.end());
  pending_.clear();
}

void FakeProcessLauncher::Exit(RunId run_id, int exit_code) {
  if (running_.erase(run_id) == 0) return;
  ProcessExit e;
  e.run_id = run_id;
  e.usage.exit_code = exit_code;
  pending_.push_back(e);
}

void FakeProcessLauncher::Kill(RunId run_id, int signal) {
  if (running_.erase(run_id) == 0) return;
  ProcessExit e;
  e.run_id = run_id;
  e.usage.term_signal = signal;
  pending_.push_back(e);
}

}  // namespace allot
