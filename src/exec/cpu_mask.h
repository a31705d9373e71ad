// Pinning the calling thread for the duration of a posix_spawn, so the child inherits the mask
// from its first instruction (posix_spawn has no affinity attribute; setting the child's mask
// after the spawn would race with whatever the program starts before it is set).
//
// Cost, measured on the 2-CPU VM of the project: ~2 us per enter/restore pair when the thread
// already runs on a CPU of the mask, ~35 us when the kernel must migrate it to another CPU
// (that is the price of being race-free; still small next to a ~300 us spawn).
#pragma once

#include <sched.h>

#include <vector>

#include "common/status.h"

namespace allot {

// InvalidArgument when `cpus` is empty or holds an id outside 0..CPU_SETSIZE-1.
Status CpuSetFromList(const std::vector<int>& cpus, cpu_set_t* set);

// Remembers the owner thread's mask at construction; Pin/Restore switch the calling thread's
// mask. Thread-compatible; must be used from the thread that constructed it.
class ThreadAffinity {
 public:
  ThreadAffinity();

  // Sets the calling thread's mask to `set`, unless it equals the remembered one (then it is a
  // no-op). IoError/InvalidArgument when the kernel refuses (e.g. no CPU of `set` is allowed).
  Status Pin(const cpu_set_t& set);
  // Back to the remembered mask after a successful Pin that changed it.
  void Restore();

 private:
  cpu_set_t original_;
  bool have_original_ = false;
  bool pinned_ = false;
};

}  // namespace allot
