// `allot profiles [--json] [--updates]`: what the campaign learned per task profile: attempts,
// time quantiles, peak memory, cores actually used, and the waste (requested vs used).
// --updates prints one profile-update record per profile as JSON lines
// ({profile, command: "update", execution_requirement: {time, cpus, memory, threads}}).
#pragma once

#include <CLI/CLI.hpp>

namespace allot {

void AddProfilesCommand(CLI::App* app, int* exit_code);

}  // namespace allot
