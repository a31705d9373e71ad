// `allot requeue REF...|--failed`: a person's requeue (Slurm's `scontrol requeue`) on a server
// (POST /api/v1/requeue; all or nothing). Failed and canceled tasks run again with a fresh
// retry budget (the next attempt is attempt + 1), and the dependents skipped because of them
// wait for them again. Prints each task that came back with its new state.
#pragma once

#include <CLI/CLI.hpp>

namespace allot {

void AddRequeueCommand(CLI::App* app, int* exit_code);

}  // namespace allot
