#include "worker/exit_ledger.h"

namespace allot {

void ExitLedger::Add(ExitReport exit, TimePoint sent) {
  uint64_t execution = exit.execution;
  entries_.insert_or_assign(execution, Entry{std::move(exit), sent});
}

void ExitLedger::Ack(const std::vector<uint64_t>& executions) {
  for (uint64_t execution : executions) entries_.erase(execution);
}

std::vector<ExitReport> ExitLedger::All(TimePoint now) {
  std::vector<ExitReport> all;
  all.reserve(entries_.size());
  for (auto& [execution, entry] : entries_) {
    entry.sent = now;
    all.push_back(entry.exit);
  }
  return all;
}

std::vector<ExitReport> ExitLedger::TakeDue(TimePoint now, Duration after) {
  std::vector<ExitReport> due;
  for (auto& [execution, entry] : entries_) {
    if (entry.sent + after > now) continue;
    entry.sent = now;
    due.push_back(entry.exit);
  }
  return due;
}

}  // namespace allot
