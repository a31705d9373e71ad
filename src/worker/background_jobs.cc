#include "worker/background_jobs.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>
#include <utility>

namespace allot {

BackgroundJobs::BackgroundJobs() : ready_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

BackgroundJobs::~BackgroundJobs() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (ready_fd_ >= 0) close(ready_fd_);
}

void BackgroundJobs::Submit(ProcessExit exit, Kind kind, std::function<void(ProcessExit*)> work) {
  {
    std::lock_guard lock(mu_);
    todo_.push_back({{std::move(exit), kind}, std::move(work)});
  }
  if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
  cv_.notify_one();
}

void BackgroundJobs::Collect(std::vector<Done>* out) {
  uint64_t count;
  if (ready_fd_ >= 0) (void)!read(ready_fd_, &count, sizeof(count));  // drained; may be empty
  std::lock_guard lock(mu_);
  for (Done& d : done_) out->push_back(std::move(d));
  done_.clear();
}

void BackgroundJobs::Run() {
  while (true) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !todo_.empty(); });
      if (stop_) return;
      job = std::move(todo_.front());
      todo_.pop_front();
    }
    job.work(&job.done.exit);
    {
      std::lock_guard lock(mu_);
      done_.push_back(std::move(job.done));
    }
    const uint64_t one = 1;
    if (ready_fd_ >= 0) (void)!write(ready_fd_, &one, sizeof(one));
  }
}

}  // namespace allot
