// `allot cluster-status TASK`: one word for Snakemake 7's --cluster-status (and scripts like
// it): `running` while the task is waiting, ready, running or paused, `success` once it
// succeeded, `failed` once it failed, was canceled or skipped, or when the server knows no
// such task.
#pragma once

#include <CLI/CLI.hpp>

namespace allot {

void AddClusterStatusCommand(CLI::App* app, int* exit_code);

}  // namespace allot
