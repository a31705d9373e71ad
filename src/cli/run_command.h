// `allot run`: a whole campaign on this machine, in this process: the embedded server and one
// in-process worker, with its journal in the work directory.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/run_options.h"

namespace allot {

// Adds the `run` subcommand to `app`; when it is chosen, *exit_code is set by running it.
void AddRunCommand(CLI::App* app, int* exit_code);

// Runs the campaign `o` describes, as `allot run` does, and returns its exit code
// (cli/exit_codes.h). Messages are prefixed "allot <o.command>: ".
int RunCampaign(const RunOptions& o);

}  // namespace allot
