#include "journal/event_chunks.h"

namespace allot {

void EventChunks::Push(std::vector<TaskEvent> chunk) {
  std::lock_guard lock(mu_);
  queued_.push_back(std::move(chunk));
  changed_.notify_all();
}

void EventChunks::Close(Status status) {
  std::lock_guard lock(mu_);
  closed_ = true;
  status_ = std::move(status);
  changed_.notify_all();
}

std::optional<std::vector<TaskEvent>> EventChunks::Pop() {
  std::unique_lock lock(mu_);
  changed_.wait(lock, [this] { return closed_ || !queued_.empty(); });
  if (queued_.empty()) return std::nullopt;
  std::vector<TaskEvent> chunk = std::move(queued_.front());
  queued_.pop_front();
  return chunk;
}

Status EventChunks::status() {
  std::lock_guard lock(mu_);
  return status_;
}

}  // namespace allot
