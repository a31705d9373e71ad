// `allot server start`: runs a cluster-mode server in the foreground (docs/CLUSTER.md). Adds the
// `server` subcommand and returns it, for `server stop` (server_stop_command.h).
#pragma once

#include <CLI/CLI.hpp>

namespace allot {

CLI::App* AddServerCommand(CLI::App* app, int* exit_code);

}  // namespace allot
