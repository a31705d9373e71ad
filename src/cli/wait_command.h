// `allot wait [REF...] [--timeout DUR]`: blocks until the tasks (all, without refs) are
// terminal, by long-polling the server; prints those that did not succeed.
#pragma once

#include <CLI/CLI.hpp>

namespace allot {

void AddWaitCommand(CLI::App* app, int* exit_code);

}  // namespace allot
