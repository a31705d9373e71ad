#include "worker/output_hasher.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>
#include <utility>

#include "model/output_manifest.h"
#include "worker/output_check.h"

namespace allot {

OutputHasher::OutputHasher() : ready_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

OutputHasher::~OutputHasher() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (ready_fd_ >= 0) close(ready_fd_);
}

void OutputHasher::Submit(ProcessExit exit, std::vector<std::string> files) {
  {
    std::lock_guard lock(mu_);
    todo_.push_back({std::move(exit), std::move(files)});
  }
  if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
  cv_.notify_one();
}

void OutputHasher::Collect(std::vector<ProcessExit>* out) {
  uint64_t count;
  if (ready_fd_ >= 0) (void)!read(ready_fd_, &count, sizeof(count));  // drained; may be empty
  std::lock_guard lock(mu_);
  for (ProcessExit& e : done_) out->push_back(std::move(e));
  done_.clear();
}

void OutputHasher::Run() {
  while (true) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !todo_.empty(); });
      if (stop_) return;
      job = std::move(todo_.front());
      todo_.pop_front();
    }
    Result<std::vector<OutputFile>> described = DescribeOutputs(job.files);
    if (described.ok()) {
      job.exit.usage.outputs = OutputManifestToJson(*described);
    } else {
      job.exit.usage.output_error = "its outputs cannot be read: " + described.status().message();
    }
    {
      std::lock_guard lock(mu_);
      done_.push_back(std::move(job.exit));
    }
    const uint64_t one = 1;
    if (ready_fd_ >= 0) (void)!write(ready_fd_, &one, sizeof(one));
  }
}

}  // namespace allot
