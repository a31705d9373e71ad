// `allot journal check [--workdir DIR | --db FILE | --server-dir DIR]`: the full check of a
// journal that opening it skips for speed: SQLite's integrity_check (every page, every index
// entry against its row), whether it lost committed records, and a load of everything in it.
// Read-only; safe beside a running allot. Exit 0 when sound, 3 when not, 2 for bad flags or no
// journal.
#pragma once

#include <CLI/CLI.hpp>

namespace allot {

void AddJournalCommand(CLI::App* app, int* exit_code);

}  // namespace allot
