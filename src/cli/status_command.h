// `allot status`: where a campaign stands, read from its journal (read-only; works while
// `allot run` is writing it).
#pragma once

#include <CLI/CLI.hpp>

namespace allot {

void AddStatusCommand(CLI::App* app, int* exit_code);

}  // namespace allot
