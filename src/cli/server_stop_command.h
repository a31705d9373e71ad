// `allot server stop [--server-dir DIR] [--kill]`: asks the server to stop (POST
// /api/v1/server/stop): it stops its workers' tasks (they become preempted) and exits.
// Added to the `server` subcommand, whose `start` lives in cli/server_command.h.
#pragma once

#include <CLI/CLI.hpp>

namespace allot {

// Adds `stop` to `server` (the `allot server` subcommand).
void AddServerStopCommand(CLI::App* server, int* exit_code);

}  // namespace allot
