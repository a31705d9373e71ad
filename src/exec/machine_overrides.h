// Applying the user's --cores/--memory/--gpus to a detected machine: they may only narrow it.
#pragma once

#include "common/result.h"
#include "exec/machine_detector.h"
#include "model/machine.h"

namespace allot {

// cores: the first N CPUs (topology order); memory: that many bytes; gpus: exactly those ids,
// each of which must be detected. InvalidArgument naming the flag when an override is not
// positive, lists a GPU twice or asks for more than `detected` has, e.g.
// "--cores 8: only 2 CPUs are available to this process".
Result<Machine> ApplyMachineOverrides(Machine detected, const MachineOverrides& overrides);

}  // namespace allot
