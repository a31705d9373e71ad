// `allot worker drain ID` and `allot worker stop ID`: steer one worker through the server
// (POST /api/v1/workers/{id}/drain, /stop). Added to the `worker` subcommand, whose
// `start` lives in cli/worker_command.h.
#pragma once

#include <CLI/CLI.hpp>

namespace allot {

// Adds `drain` and `stop` to `worker` (the `allot worker` subcommand).
void AddWorkerControlCommands(CLI::App* worker, int* exit_code);

}  // namespace allot
