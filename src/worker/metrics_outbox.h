// MetricsOutbox: the metrics a worker sent for each attempt, numbered 1, 2, ... per attempt,
// kept until the attempt's exit is acknowledged, so that they can be sent again in full after
// the worker registers anew (a restarted server lost what it had not journaled, and what was
// sent while it was down). The server takes only those past the last it has
// (Scheduler::OnMetric's index). Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <unordered_map>
#include <vector>

#include "protocol/worker_messages.h"
#include "worker/metrics_tail.h"

namespace allot {

class MetricsOutbox {
 public:
  // At most this many of an attempt's metrics are kept to send again (the latest); those
  // before them are sent once only.
  static constexpr size_t kMaxKeptPerAttempt = 100'000;

  // The report of `m` (its run is the execution), numbered after the attempt's last; kept.
  MetricReport Add(RunMetric m);

  // Every kept report of the executions `wanted` says are still wanted (running, or ended and
  // not acknowledged), in order per attempt; the others are forgotten.
  std::vector<MetricReport> Resend(const std::function<bool(uint64_t)>& wanted);

  // Forgets the attempts `wanted` no longer wants.
  void Forget(const std::function<bool(uint64_t)>& wanted);

  size_t attempts() const { return sent_.size(); }

 private:
  struct Attempt {
    int64_t last = 0;                  // the last index given
    std::vector<MetricReport> kept;    // the latest ones, at most kMaxKeptPerAttempt
  };
  std::unordered_map<uint64_t, Attempt> sent_;
};

}  // namespace allot
