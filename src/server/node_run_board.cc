#include "server/node_run_board.h"

namespace allot {

uint32_t NodeRunBoard::Open() {
  std::lock_guard<std::mutex> lock(mu_);
  const uint32_t run = ++next_;
  runs_.emplace(run, std::nullopt);
  return run;
}

void NodeRunBoard::Finish(uint32_t run, NodeRunEnd end) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = runs_.find(run);
    if (it == runs_.end() || it->second) return;
    it->second = std::move(end);
  }
  changed_.notify_all();
}

void NodeRunBoard::Close(const std::string& why) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    for (auto& [run, end] : runs_) {
      if (!end) end = NodeRunEnd{AttemptUsage{}, why};
    }
  }
  changed_.notify_all();
}

Result<std::optional<NodeRunEnd>> NodeRunBoard::Wait(uint32_t run,
                                                     std::chrono::milliseconds timeout,
                                                     bool* busy) {
  std::unique_lock<std::mutex> lock(mu_);
  if (runs_.count(run) == 0) {
    return Status::NotFound("node run " + std::to_string(run) + ": no such run (or already read)");
  }
  if (busy != nullptr) *busy = waiters_ >= max_waiters_;
  const bool blocks = timeout.count() > 0 && waiters_ < max_waiters_;
  if (blocks) {
    ++waiters_;
    changed_.wait_for(lock, timeout, [&] {
      auto it = runs_.find(run);
      return closed_ || it == runs_.end() || it->second.has_value();
    });
    --waiters_;
  }
  auto it = runs_.find(run);
  if (it == runs_.end() || !it->second) return std::optional<NodeRunEnd>();
  std::optional<NodeRunEnd> end = std::move(it->second);
  runs_.erase(it);
  return end;
}

}  // namespace allot
