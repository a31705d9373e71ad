// `allot scenarios [--json]`: the campaign's scenarios (tasks grouped by tags.scenario) ranked by
// its scenario policy (the workflow's `scenarios:` block; core/scenario/scenario_board.h), with
// each one's score, rung, priority offset, whether it was stopped and why, its latest metrics,
// and the core-hours its attempts were allocated and used. Rebuilt from the journal (the
// policy, the metrics, the attempts), so it reads a finished campaign, a running `allot run`
// (--workdir, --db) or a server's (--server-dir) alike, changing nothing.
#pragma once

#include <CLI/CLI.hpp>

namespace allot {

void AddScenariosCommand(CLI::App* app, int* exit_code);

}  // namespace allot
