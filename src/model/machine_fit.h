// Why a request can never fit what one machine (or the largest worker) has: the one place that
// says it, for the task-file check (CheckFitsMachine, model/task_file.h) and the core's
// refusals (Scheduler::Submit on a fixed machine, "no connected worker can ever fit it").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/machine.h"
#include "model/task_spec.h"

namespace allot {

// Every part of `request` that `capacity` can never hold, in this order: cores.min, memory,
// GPUs, custom resources by name; e.g. "asks for at least 4 cores; this machine has 2",
// "asks for 1 of resource 'scratch'; this machine has none". `holder` names whose capacity it
// is ("this machine", "the largest worker"). Empty when the request fits.
std::vector<std::string> WhyNeverFits(const ResourceRequest& request,
                                      const ResourceAmounts& capacity,
                                      std::string_view holder = "this machine");

}  // namespace allot
