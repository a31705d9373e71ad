// Turning a task's list of OS CPU ids into the mask its process gets (see task_spawn.h).
#pragma once

#include <sched.h>

#include <vector>

#include "common/status.h"

namespace allot {

// InvalidArgument when `cpus` is empty or holds an id outside 0..CPU_SETSIZE-1.
Status CpuSetFromList(const std::vector<int>& cpus, cpu_set_t* set);

}  // namespace allot
