// SystemSample: one reading of the node's CPU counters, memory and load average, and
// CpuUtilization, the pure function that turns two consecutive readings into per-CPU busy
// fractions. Plain values; thread-compatible.
#pragma once

#include <cstdint>
#include <vector>

#include "common/time.h"

namespace allot {

// Cumulative jiffies of one CPU (or of all CPUs together) since boot, as /proc/stat reports
// them. guest/guest_nice are already counted inside user/nice and are not kept.
struct CpuTimes {
  int cpu = -1;  // the N of "cpuN"; -1 for the aggregate "cpu" line
  uint64_t user = 0;
  uint64_t nice = 0;
  uint64_t system = 0;
  uint64_t idle = 0;
  uint64_t iowait = 0;
  uint64_t irq = 0;
  uint64_t softirq = 0;
  uint64_t steal = 0;

  // Time the CPU was running something: everything but idle and iowait.
  uint64_t Busy() const { return user + nice + system + irq + softirq + steal; }
  uint64_t Total() const { return Busy() + idle + iowait; }
};

// /proc/stat, the CPU lines only.
struct NodeCpuStat {
  CpuTimes all;                // the aggregate "cpu" line
  std::vector<CpuTimes> cpus;  // one per online CPU, in file order (ascending cpu id)
};

// /proc/meminfo, in bytes.
struct MemoryInfo {
  int64_t total_bytes = 0;      // MemTotal
  int64_t available_bytes = 0;  // MemAvailable: what new work can use without swapping
};

// /proc/loadavg.
struct LoadAverage {
  double one_minute = 0;
  double five_minutes = 0;
  double fifteen_minutes = 0;
  int64_t runnable = 0;  // runnable scheduling entities now
  int64_t threads = 0;   // scheduling entities that exist now
};

struct SystemSample {
  TimePoint taken_at;  // monotonic time of the reading (the sampler's Clock)
  NodeCpuStat cpu;
  MemoryInfo memory;
  LoadAverage load;
};

struct CoreUtilization {
  int cpu = -1;
  double busy = 0;  // fraction of the interval the CPU was busy, in [0, 1]
};

struct CpuUtilizationReport {
  double all = 0;                      // the aggregate line's busy fraction, in [0, 1]
  std::vector<CoreUtilization> cores;  // CPUs present in both samples, ascending cpu id
};

// Busy fraction between two readings of one CPU: busy delta / total delta. A counter that went
// backwards (wrapped, CPU hot-plugged, a kernel quirk in idle/iowait) contributes 0 to its
// delta; no elapsed jiffies gives 0. The result is clamped to [0, 1].
double BusyFraction(const CpuTimes& prev, const CpuTimes& next);

// Per-CPU utilization between two consecutive readings. CPUs are matched by id, so a CPU that
// went offline (or came online) between them is simply left out of `cores`.
CpuUtilizationReport CpuUtilization(const NodeCpuStat& prev, const NodeCpuStat& next);

}  // namespace allot
