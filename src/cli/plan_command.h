// `allot plan FILE [--cores N] [--memory SIZE] [--gpus N|IDS] [--resource NAME=COUNT]...
// [--max-workers N] [--relative-to DIR] [--json]`: everything `allot run` would check of a task
// file, without running anything or writing a journal — parsing and validation, sweep
// expansion, dependencies, fit on the machine — plus what the campaign amounts to: its stages,
// its critical path, its core-hours and a forecast of its wall time from the tasks'
// time_estimate (else time_limit) through the scheduler's own policy.
// Exit 0 when allot run would accept the file, 2 with the problems named when it would not.
#pragma once

#include <CLI/CLI.hpp>

namespace allot {

void AddPlanCommand(CLI::App* app, int* exit_code);

}  // namespace allot
