// `allot run`: a whole campaign on this machine, in this process: the embedded server and one
// in-process worker, with its journal in the work directory.
#pragma once

#include <CLI/CLI.hpp>

namespace allot {

// Adds the `run` subcommand to `app`; when it is chosen, *exit_code is set by running it.
void AddRunCommand(CLI::App* app, int* exit_code);

}  // namespace allot
