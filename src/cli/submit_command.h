// `allot submit FILE` and `allot submit [options] -- COMMAND ARGS...`: adds tasks to a running
// server (docs/CLUSTER.md) and prints their ids.
#pragma once

#include <CLI/CLI.hpp>

namespace allot {

void AddSubmitCommand(CLI::App* app, int* exit_code);

}  // namespace allot
