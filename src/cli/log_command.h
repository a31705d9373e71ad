// `allot log REF [--stderr] [--follow]`: a task's output, read from the server.
#pragma once

#include <CLI/CLI.hpp>

namespace allot {

void AddLogCommand(CLI::App* app, int* exit_code);

}  // namespace allot
