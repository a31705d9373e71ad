// NodeRunBoard: the node runs of multi-node attempts (`allot node-exec`) that the HTTP API
// started, and how each ended, for the long polls that wait on them. The loop thread opens and
// finishes runs; HTTP request threads wait. A run's end is kept until one wait has returned it
// (or the board is closed). Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>

#include "common/result.h"
#include "common/time.h"
#include "model/task_event.h"

namespace allot {

struct NodeRunEnd {
  AttemptUsage usage;
  std::string error;  // it could not be started
};

class NodeRunBoard {
 public:
  // At most `max_waiters` waits block at once: each holds one of the HTTP API's request
  // threads, and a task with many nodes must not take them all. Past that, Wait answers at
  // once (Busy) and node-exec waits a moment before asking again.
  explicit NodeRunBoard(int max_waiters = kMaxWaiters) : max_waiters_(max_waiters) {}
  static constexpr int kMaxWaiters = 8;

  // A new run's number (1, 2, ...), open until Finish.
  uint32_t Open();
  // Unknown (or already finished) runs: ignored.
  void Finish(uint32_t run, NodeRunEnd end);
  // Every open run ends with `why` as its error; waits return at once from now on.
  void Close(const std::string& why);
  // Blocks until `run` ended (then forgets it) or `timeout` (real time) passed: none. With
  // max_waiters waits blocked already it does not block (*busy is set). NotFound for a run
  // that is not open or waiting to be read.
  Result<std::optional<NodeRunEnd>> Wait(uint32_t run, std::chrono::milliseconds timeout,
                                         bool* busy = nullptr);

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  const int max_waiters_;
  int waiters_ = 0;
  uint32_t next_ = 0;
  bool closed_ = false;
  std::map<uint32_t, std::optional<NodeRunEnd>> runs_;  // open: none yet
};

}  // namespace allot
