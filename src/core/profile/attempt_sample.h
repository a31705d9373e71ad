// AttemptSample: what one ended attempt tells about its profile. A plain value built by the
// server from the attempt record (measured usage) and handed to ProfileStore::Record.
#pragma once

#include <cstdint>
#include <string>

#include "common/time.h"

namespace allot {

struct AttemptSample {
  std::string profile;
  int cores_allocated = 0;
  Duration wall{0};
  Duration cpu{0};                     // user + sys of the whole process tree
  int64_t peak_rss_bytes = 0;          // 0: not measured
  int64_t memory_requested_bytes = 0;  // 0: the task asked for no memory
  bool succeeded = false;
  bool oom_killed = false;
  bool timed_out = false;
};

}  // namespace allot
