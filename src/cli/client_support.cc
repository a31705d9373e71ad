#include "cli/client_support.h"

#include <fmt/format.h>

#include "cli/exit_codes.h"
#include "protocol/access_file.h"

namespace allot {

CLI::Option* AddServerDirOption(CLI::App* cmd, std::string* server_dir) {
  return cmd->add_option("--server-dir", *server_dir,
                         "The server's directory (default: $ALLOT_SERVER_DIR, else "
                         "~/.allot/server)");
}

int ExitCodeForClientError(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
      return kExitBadInput;
    default:
      return kExitInternal;
  }
}

int ReportClientError(std::string_view command, const Status& status) {
  fmt::print(stderr, "allot {}: {}\n", command, status.message());
  return ExitCodeForClientError(status);
}

std::optional<ApiClient> ConnectOrReport(std::string_view command, const std::string& server_dir,
                                         int* exit_code) {
  Result<ApiClient> client = ApiClient::Connect(ResolveServerDir(server_dir));
  if (!client.ok()) {
    *exit_code = ReportClientError(command, client.status());
    return std::nullopt;
  }
  return std::move(client).value();
}

}  // namespace allot
