// `allot report`: core-hours, GPU-hours and memory-hours per project, scenario, profile, user
// or tag, from a campaign's journal (read-only; works while a run or server writes it), as a
// table, CSV, JSON or a self-contained HTML page with charts (report/report_format.h).
// Exit codes: 0 written; 2 bad flags (naming the flag) or no journal, nothing written; 3 the
// journal could not be read or the output not written.
#pragma once

#include <CLI/CLI.hpp>

namespace allot {

void AddReportCommand(CLI::App* app, int* exit_code);

}  // namespace allot
