// `allot worker start`: run tasks for a cluster-mode server (docs/CLUSTER.md), in the
// foreground, until the server stops this worker, the idle timeout passes, the server is gone
// for --server-timeout, or a signal. Exit 0 when stopped or idle, 128+N for signal N, 2 for bad
// flags or an unreadable access file, 3 when the server was lost or the worker failed.
#pragma once

#include <CLI/CLI.hpp>

namespace allot {

// Adds `worker` (with its `start` subcommand) to `app` and returns it, for other `worker ...`
// subcommands to be added to. When `worker start` is chosen, *exit_code is set by running it.
CLI::App* AddWorkerCommand(CLI::App* app, int* exit_code);

}  // namespace allot
