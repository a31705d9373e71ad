#include "monitor/system_sample.h"

#include <algorithm>

namespace allot {
namespace {

uint64_t Delta(uint64_t prev, uint64_t next) { return next >= prev ? next - prev : 0; }

}  // namespace

double BusyFraction(const CpuTimes& prev, const CpuTimes& next) {
  const uint64_t busy = Delta(prev.user, next.user) + Delta(prev.nice, next.nice) +
                        Delta(prev.system, next.system) + Delta(prev.irq, next.irq) +
                        Delta(prev.softirq, next.softirq) + Delta(prev.steal, next.steal);
  const uint64_t idle = Delta(prev.idle, next.idle) + Delta(prev.iowait, next.iowait);
  const uint64_t total = busy + idle;
  if (total == 0) return 0.0;
  return std::clamp(static_cast<double>(busy) / static_cast<double>(total), 0.0, 1.0);
}

CpuUtilizationReport CpuUtilization(const NodeCpuStat& prev, const NodeCpuStat& next) {
  CpuUtilizationReport report;
  report.all = BusyFraction(prev.all, next.all);
  report.cores.reserve(next.cpus.size());
  for (const CpuTimes& n : next.cpus) {
    // Both lists are short and nearly always in the same order: try the same index first.
    const CpuTimes* p = nullptr;
    const size_t i = static_cast<size_t>(&n - next.cpus.data());
    if (i < prev.cpus.size() && prev.cpus[i].cpu == n.cpu) {
      p = &prev.cpus[i];
    } else {
      auto it = std::find_if(prev.cpus.begin(), prev.cpus.end(),
                             [&](const CpuTimes& c) { return c.cpu == n.cpu; });
      if (it != prev.cpus.end()) p = &*it;
    }
    if (p == nullptr) continue;
    report.cores.push_back({n.cpu, BusyFraction(*p, n)});
  }
  std::sort(report.cores.begin(), report.cores.end(),
            [](const CoreUtilization& a, const CoreUtilization& b) { return a.cpu < b.cpu; });
  return report;
}

}  // namespace allot
