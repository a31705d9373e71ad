// `allot cancel|pause|resume|skip|hold|release REF...`: steer tasks on a server (POST
// /api/v1/control; all or nothing; a ref may be a depends_on pattern, matched by the server) and
// print each task's new state.
#pragma once

#include <CLI/CLI.hpp>

namespace allot {

// Adds the six subcommands to `app`.
void AddControlCommands(CLI::App* app, int* exit_code);

}  // namespace allot
