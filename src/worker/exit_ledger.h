// ExitLedger: the exits a worker has reported and the server has not acked yet. The server acks
// an exit once it is durable in its journal; until then the worker keeps it and sends it again:
// in every `register`, and in an `exited` when it has gone unacked for a while (a message lost
// with a broken connection, while the server lived on). So no exit is ever lost, and the server
// must take a repeated exit calmly (ack it again).
// Not thread-safe: owned by the worker's event loop.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "common/time.h"
#include "protocol/worker_messages.h"

namespace allot {

class ExitLedger {
 public:
  // Keeps `exit` (replacing an earlier one of the same execution), as sent at `sent`.
  void Add(ExitReport exit, TimePoint sent);
  // Forgets these executions; unknown ones are ignored (acks may repeat).
  void Ack(const std::vector<uint64_t>& executions);
  bool Contains(uint64_t execution) const { return entries_.count(execution) > 0; }
  // The executions of every kept exit.
  std::vector<uint64_t> Executions() const {
    std::vector<uint64_t> out;
    out.reserve(entries_.size());
    for (const auto& entry : entries_) out.push_back(entry.first);
    return out;
  }
  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }

  // Every kept exit, in execution order, now counted as sent at `now` (for a register).
  std::vector<ExitReport> All(TimePoint now);
  // The exits last sent at or before `now - after`, now counted as sent at `now`.
  std::vector<ExitReport> TakeDue(TimePoint now, Duration after);

 private:
  struct Entry {
    ExitReport exit;
    TimePoint sent;
  };
  std::map<uint64_t, Entry> entries_;
};

}  // namespace allot
