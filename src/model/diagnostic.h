// Diagnostics of task files: the Diagnostic itself is common/diagnostic.h (a Status carries
// them); here, how a list of them reads.
#pragma once

#include <string>
#include <vector>

#include "common/diagnostic.h"

namespace allot {

// All diagnostics, one per line (each ending in '\n'), sorted by file and line; the order of
// diagnostics on one line is kept.
std::string FormatDiagnostics(std::vector<Diagnostic> diagnostics);

}  // namespace allot
