// `allot workers [--json]`: the server's workers as a table.
#pragma once

#include <CLI/CLI.hpp>

namespace allot {

void AddWorkersCommand(CLI::App* app, int* exit_code);

}  // namespace allot
