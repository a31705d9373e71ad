// Clearer words than CLI11's for the two mistakes people make most on the command line: a
// misspelt command ("A subcommand is required" for `allot stats`) and an option of another tool
// (`--cpus` for `--cores`), each with a did-you-mean.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

namespace allot {

// The message for a failed parse of `argv` by `app` (which defines allot's commands), when
// it is one of those mistakes; nullopt for anything else (CLI11's own message then).
std::optional<std::string> ExplainParseError(CLI::App& app, int argc, char** argv);

}  // namespace allot
