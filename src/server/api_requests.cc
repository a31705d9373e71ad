#include "server/api_requests.h"

#include <charconv>

namespace allot {

std::string FormatWaitMark(const WaitMark& mark) {
  return std::to_string(mark.tasks) + "." + std::to_string(mark.ends) + "." +
         std::to_string(mark.succeeded);
}

std::optional<WaitMark> ParseWaitMark(std::string_view text) {
  uint64_t parts[3] = {0, 0, 0};
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (int i = 0; i < 3; ++i) {
    if (i > 0) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
    auto [next, ec] = std::from_chars(p, end, parts[i]);
    if (ec != std::errc() || next == p) return std::nullopt;
    p = next;
  }
  if (p != end) return std::nullopt;
  return WaitMark{parts[0], parts[1], parts[2]};
}

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
