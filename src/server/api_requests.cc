#include "server/api_requests.h"

namespace allot {

std::string_view LogStreamName(LogStream stream) {
  return stream == LogStream::kStdout ? "stdout" : "stderr";
}

std::optional<LogStream> ParseLogStream(std::string_view name) {
  if (name == "stdout") return LogStream::kStdout;
  if (name == "stderr") return LogStream::kStderr;
  return std::nullopt;
}

std::string_view WorkerActionName(WorkerAction action) {
  return action == WorkerAction::kDrain ? "drain" : "stop";
}

}  // namespace allot
