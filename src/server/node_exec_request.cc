#include "server/node_exec_request.h"

#include <cstdlib>

#include <nlohmann/json.hpp>

namespace allot {

Result<NodeExecRequest> ParseNodeExecBody(std::string_view body) {
  using Json = nlohmann::json;
  Json json = Json::parse(std::string(body), nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return Status::InvalidArgument("body: expected a JSON object");
  NodeExecRequest request;
  for (const auto& [key, value] : json.items()) {
    std::string* field = key == "execution" ? &request.execution
                         : key == "node"    ? &request.node
                         : key == "command" ? &request.command
                         : key == "cwd"     ? &request.cwd
                                            : nullptr;
    if (field == nullptr) {
      return Status::InvalidArgument("body: unknown field '" + key +
                                     "' (accepted: execution, node, command, cwd)");
    }
    if (!value.is_string()) {
      return Status::InvalidArgument("body field '" + key + "': expected a string");
    }
    *field = value.get<std::string>();
  }
  for (const auto& [name, value] : {std::pair{"execution", &request.execution},
                                    std::pair{"node", &request.node},
                                    std::pair{"command", &request.command}}) {
    if (value->empty()) {
      return Status::InvalidArgument(std::string("body field '") + name + "': missing or empty");
    }
  }
  return request;
}

Result<NodeRunWaitRequest> ParseNodeRunWait(
    const std::string& run, const std::multimap<std::string, std::string>& params) {
  NodeRunWaitRequest request;
  char* end = nullptr;
  const unsigned long n = std::strtoul(run.c_str(), &end, 10);
  if (run.empty() || *end != '\0' || n == 0 || n > UINT32_MAX) {
    return Status::InvalidArgument("path: '" + run + "' is not a node run number");
  }
  request.run = static_cast<uint32_t>(n);
  for (const auto& [key, value] : params) {
    if (key != "timeout_s") {
      return Status::InvalidArgument("query: unknown parameter '" + key + "' (accepted: timeout_s)");
    }
    char* e = nullptr;
    request.timeout_s = std::strtod(value.c_str(), &e);
    if (value.empty() || *e != '\0' || !(request.timeout_s >= 0) || request.timeout_s > 3600) {
      return Status::InvalidArgument("query parameter 'timeout_s': expected seconds in [0, 3600]");
    }
  }
  return request;
}

}  // namespace allot
