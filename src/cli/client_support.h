// What the client commands (submit, status against a server, wait, cancel, log, workers, ...)
// share: the --server-dir flag, connecting, and turning a client error into a message and an
// exit code (cli/exit_codes.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "client/api_client.h"
#include "common/status.h"

namespace allot {

// Adds --server-dir DIR to `cmd`.
CLI::Option* AddServerDirOption(CLI::App* cmd, std::string* server_dir);

// kExitBadInput for InvalidArgument, NotFound, AlreadyExists and FailedPrecondition (the
// request was wrong or not possible now); kExitInternal for the rest (unreachable, failed).
int ExitCodeForClientError(const Status& status);

// Prints "allot <command>: <message>" (every line of it) to stderr and returns
// ExitCodeForClientError(status).
int ReportClientError(std::string_view command, const Status& status);

// The client for the directory named by `server_dir` (ResolveServerDir: the flag, else
// $ALLOT_SERVER_DIR, else ~/.allot/server), or nullopt after reporting why not, with
// *exit_code set.
std::optional<ApiClient> ConnectOrReport(std::string_view command, const std::string& server_dir,
                                         int* exit_code);

}  // namespace allot
