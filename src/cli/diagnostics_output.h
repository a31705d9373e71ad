// --diagnostics-json FILE, for the commands that refuse a task file with diagnostics (run,
// submit): besides the usual text on stderr, the problems go to FILE as data, one JSON object
// per line ({file, line, column, task, field, message, text}: model/diagnostic_json.h), so
// that a program (the Python client) gets the places without parsing text. The file is
// written (truncated) only when there are diagnostics to write.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/status.h"

namespace allot {

// Adds --diagnostics-json FILE to `cmd`.
CLI::Option* AddDiagnosticsJsonOption(CLI::App* cmd, std::string* path);

// Writes `diagnostics` to `path` when both are non-empty; on failure prints why to stderr
// ("allot <command>: cannot write ..."): the refusal, not this, decides the exit code.
void WriteDiagnosticsJson(std::string_view command, const std::string& path,
                          const std::vector<Diagnostic>& diagnostics);

}  // namespace allot
