#include "worker/metrics_outbox.h"

#include <algorithm>
#include <utility>

namespace allot {

MetricReport MetricsOutbox::Add(RunMetric m) {
  Attempt& a = sent_[m.run];
  MetricReport r{m.run, std::move(m.point.name), m.point.value, m.point.step, m.point.time_us,
                 ++a.last};
  if (a.kept.size() >= kMaxKeptPerAttempt) {
    // Drop the older half at once: amortized O(1) per report.
    a.kept.erase(a.kept.begin(), a.kept.begin() + static_cast<std::ptrdiff_t>(a.kept.size() / 2));
  }
  a.kept.push_back(r);
  return r;
}

std::vector<MetricReport> MetricsOutbox::Resend(const std::function<bool(uint64_t)>& wanted) {
  Forget(wanted);
  std::vector<uint64_t> executions;
  for (const auto& [execution, a] : sent_) executions.push_back(execution);
  std::sort(executions.begin(), executions.end());
  std::vector<MetricReport> out;
  for (uint64_t e : executions) {
    const std::vector<MetricReport>& kept = sent_[e].kept;
    out.insert(out.end(), kept.begin(), kept.end());
  }
  return out;
}

void MetricsOutbox::Forget(const std::function<bool(uint64_t)>& wanted) {
  std::erase_if(sent_, [&](const auto& entry) { return !wanted(entry.first); });
}

}  // namespace allot
