// The name a worker goes by unless `allot worker start --name` gives one.
#pragma once

#include <optional>
#include <string>

#include "exec/slurm_environment.h"

namespace allot {

// "<where>:<pid>:<8 random hex digits>", <where> being the Slurm node (SLURMD_NODENAME) when the
// worker runs in a Slurm job step, else `host`. Several Slurm nodes may share one host
// (multiple-slurmd or front-end setups, scripts/local-slurm.sh), and the node is the name that
// squeue and sinfo show.
std::string DefaultWorkerName(const std::string& host, const std::optional<SlurmAllocation>& slurm =
                                                           CurrentSlurmAllocation());

}  // namespace allot
