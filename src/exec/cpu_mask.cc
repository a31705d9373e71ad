#include "exec/cpu_mask.h"

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

}  // namespace allot
