// `allot share [--json]`: fair share between the campaign's projects (tags.project): each
// project's weight, share, decayed usage (core-hours), usage share and fair-share factor
// (core/fair_share.h), from the journal of an `allot run` (--workdir/--db) or a server's,
// with the weights and half-life the campaign runs with (its journal's "fair_share" metadata).
#pragma once

#include <CLI/CLI.hpp>

namespace allot {

void AddShareCommand(CLI::App* app, int* exit_code);

}  // namespace allot
