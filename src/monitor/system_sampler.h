// SystemSampler: reads /proc/stat, /proc/meminfo and /proc/loadavg into a SystemSample. Each
// Sample() is three open/read/close calls into one reused buffer and the parsing: tens of
// microseconds, so sampling every second costs far below 1% of one core. Thread-compatible
// (one sampler per thread; the buffer is reused between calls).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "monitor/system_sample.h"

namespace allot {

class SystemSampler {
 public:
  struct Paths {
    std::string stat = "/proc/stat";
    std::string meminfo = "/proc/meminfo";
    std::string loadavg = "/proc/loadavg";
  };

  // Reads the real /proc; taken_at comes from `clock` (not owned; must outlive the sampler).
  explicit SystemSampler(Clock* clock = SystemClock::Default());
  // Reads `paths` instead, for tests.
  SystemSampler(Paths paths, Clock* clock = SystemClock::Default());

  SystemSampler(const SystemSampler&) = delete;
  SystemSampler& operator=(const SystemSampler&) = delete;

  // One reading of all three files. IoError when a file cannot be read (naming its path),
  // Corruption when its text cannot be understood.
  Result<SystemSample> Sample();

  const Paths& paths() const { return paths_; }

 private:
  // Reads the whole file at `path` into buffer_; returns a view of it valid until the next call.
  Result<std::string_view> ReadFile(const std::string& path);

  Paths paths_;
  Clock* clock_;
  std::vector<char> buffer_;
};

}  // namespace allot
