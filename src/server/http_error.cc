#include "server/http_error.h"

#include <string>
#include <string_view>

namespace allot {

int HttpStatusFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kFailedPrecondition:
    case StatusCode::kAlreadyExists: return 409;
    case StatusCode::kUnavailable: return 503;
    default: return 500;
  }
}

nlohmann::json ErrorBody(const Status& status) {
  std::string_view message = status.message();
  size_t end = message.find('\n');
  nlohmann::json body;
  body["error"] = std::string(message.substr(0, end));
  if (end == std::string_view::npos) return body;
  nlohmann::json problems = nlohmann::json::array();
  while (end != std::string_view::npos) {
    size_t start = end + 1;
    end = message.find('\n', start);
    std::string_view line = message.substr(start, end == std::string_view::npos ? end : end - start);
    if (!line.empty()) problems.push_back(std::string(line));
  }
  body["problems"] = std::move(problems);
  return body;
}

}  // namespace allot
