// Pure parsers for the /proc files the SystemSampler reads. They take the file's text, so tests
// use fixed strings; malformed text is a Corruption status naming the file. Thread-safe.
#pragma once

#include <string_view>

#include "common/result.h"
#include "monitor/system_sample.h"

namespace allot {

// /proc/stat: the aggregate "cpu" line (required) and every "cpuN" line. Each needs at least
// user, nice, system and idle; later fields (iowait, irq, softirq, steal) default to 0 when a
// kernel does not report them. Other lines (intr, ctxt, btime, ...) are ignored.
Result<NodeCpuStat> ParseProcStat(std::string_view text);

// /proc/meminfo: MemTotal and MemAvailable (both required, "kB" units).
Result<MemoryInfo> ParseMeminfo(std::string_view text);

// /proc/loadavg: "0.52 0.58 0.59 2/1234 56789".
Result<LoadAverage> ParseLoadavg(std::string_view text);

}  // namespace allot
