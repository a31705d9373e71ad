// EventChunks: a journal's events read on one thread and taken, in order, on another as they
// come (LoadJournalForRecovery), so that replaying them overlaps reading them. The reader
// Pushes chunks and Closes with its Status; it never waits. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include "common/status.h"
#include "model/task_event.h"

namespace allot {

class EventChunks {
 public:
  static constexpr size_t kChunkEvents = 16384;

  // Reader side.
  void Push(std::vector<TaskEvent> chunk);
  // The reader is done: OK after the last chunk, else why it stopped.
  void Close(Status status);

  // Consumer side. The next chunk, waiting for it; nullopt once the reader closed and every
  // chunk was taken (then status() says how the reader ended).
  std::optional<std::vector<TaskEvent>> Pop();
  Status status();

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::vector<TaskEvent>> queued_;
  bool closed_ = false;
  Status status_;
};

}  // namespace allot
