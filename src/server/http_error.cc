#include "server/http_error.h"

#include <string>
#include <string_view>

#include "model/diagnostic_json.h"

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
  if (end == std::string_view::npos && status.diagnostics().empty()) return body;
  nlohmann::json problems = nlohmann::json::array();
  while (end != std::string_view::npos) {
    size_t start = end + 1;
    end = message.find('\n', start);
    std::string_view line = message.substr(start, end == std::string_view::npos ? end : end - start);
    if (!line.empty()) problems.push_back(std::string(line));
  }
  if (!status.diagnostics().empty()) {
    nlohmann::json diagnostics = nlohmann::json::array();
    for (const Diagnostic& d : status.diagnostics()) {
      problems.push_back(d.ToString());
      diagnostics.push_back(DiagnosticToJson(d));
    }
    body["diagnostics"] = std::move(diagnostics);
  }
  body["problems"] = std::move(problems);
  return body;
}

}  // namespace allot
