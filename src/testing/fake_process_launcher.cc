#include "testing/fake_process_launcher.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

namespace allot {

FakeProcessLauncher::FakeProcessLauncher()
    : ready_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

FakeProcessLauncher::~FakeProcessLauncher() { close(ready_fd_); }

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
  uint64_t drained;
  (void)!read(ready_fd_, &drained, sizeof drained);
}

void FakeProcessLauncher::Exit(RunId run_id, int exit_code) {
  AttemptUsage usage;
  usage.exit_code = exit_code;
  Finish(run_id, usage);
}

void FakeProcessLauncher::Kill(RunId run_id, int signal) {
  AttemptUsage usage;
  usage.term_signal = signal;
  Finish(run_id, usage);
}

void FakeProcessLauncher::Finish(RunId run_id, const AttemptUsage& usage) {
  if (running_.erase(run_id) == 0) return;
  pending_.push_back({run_id, usage});
  const uint64_t one = 1;
  (void)!write(ready_fd_, &one, sizeof one);
}

}  // namespace allot
