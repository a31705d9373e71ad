// `allot forecast [--runs N] [--seed S] [--cores N] [--json]`: when the queued and running work
// will finish and how many core-hours it will take, as P50 and P90, from a Monte Carlo
// simulation of the queue on the known workers with the learned profiles (the user's
// estimates or limits where a profile has no history yet).
#pragma once

#include <CLI/CLI.hpp>

namespace allot {

void AddForecastCommand(CLI::App* app, int* exit_code);

}  // namespace allot
