// `allot cancel|pause|resume|skip REF...`: steer tasks on a server (POST /api/v1/control; all or
// nothing) and print each task's new state.
#pragma once

#include <CLI/CLI.hpp>

namespace allot {

// Adds the four subcommands to `app`.
void AddControlCommands(CLI::App* app, int* exit_code);

}  // namespace allot
