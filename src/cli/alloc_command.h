// `allot alloc add|list|pause|resume|remove|events`: automatic allocations of a cluster-mode
// server (server/allocation_service.h). The server submits Slurm allocations whose workers
// join it while queued tasks could run in them, keeps the pool within the queue's limits and
// releases idle ones; `alloc events` says why it did or did not submit each time.
#pragma once

#include <CLI/CLI.hpp>

namespace allot {

void AddAllocCommands(CLI::App* app, int* exit_code);

}  // namespace allot
