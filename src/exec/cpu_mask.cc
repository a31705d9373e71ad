#include "exec/thread_affinity.h"

#include <cerrno>
#include <string>

namespace allot {

Status CpuSetFromList(const std::vector<int>& cpus, cpu_set_t* set) {
  if (cpus.empty()) return Status::InvalidArgument("empty CPU list");
  CPU_ZERO(set);
  for (int cpu : cpus) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) {
      return Status::InvalidArgument("CPU id " + std::to_string(cpu) + " is out of range");
    }
    CPU_SET(cpu, set);
  }
  return Status::Ok();
}

ThreadAffinity::ThreadAffinity() {
  have_original_ = sched_getaffinity(0, sizeof(original_), &original_) == 0;
}

Status ThreadAffinity::Pin(const cpu_set_t& set) {
  if (have_original_ && CPU_EQUAL(&set, &original_)) return Status::Ok();
  if (sched_setaffinity(0, sizeof(set), &set) != 0) {
    int err = errno;
    if (err == EINVAL) {
      return Status::InvalidArgument("CPU affinity: none of the requested CPUs is usable");
    }
    return ErrnoStatus("sched_setaffinity", err);
  }
  pinned_ = true;
  return Status::Ok();
}

void ThreadAffinity::Restore() {
  if (!pinned_) return;
  pinned_ = false;
  if (have_original_) sched_setaffinity(0, sizeof(original_), &original_);
}

}  // namespace allot
