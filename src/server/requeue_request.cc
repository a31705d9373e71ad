#include "server/requeue_request.h"

#include <nlohmann/json.hpp>

namespace allot {

Result<RequeueRequest> ParseRequeueBody(std::string_view body) {
  using Json = nlohmann::json;
  Json json = Json::parse(std::string(body), nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return Status::InvalidArgument("body: expected a JSON object");
  RequeueRequest request;
  for (const auto& [key, value] : json.items()) {
    if (key == "refs") {
      if (!value.is_array()) {
        return Status::InvalidArgument("body field 'refs': expected a list of task ids");
      }
      for (const Json& ref : value) {
        if (!ref.is_string() || ref.get_ref<const std::string&>().empty()) {
          return Status::InvalidArgument("body field 'refs': expected task ids or patterns "
                                         "(strings), got " + ref.dump());
        }
        request.refs.push_back(ref.get<std::string>());
      }
    } else if (key == "failed") {
      if (!value.is_boolean()) {
        return Status::InvalidArgument("body field 'failed': expected true or false");
      }
      request.failed = value.get<bool>();
    } else {
      return Status::InvalidArgument("body: unknown field '" + key + "' (accepted: refs, failed)");
    }
  }
  if (request.refs.empty() == !request.failed) {
    return Status::InvalidArgument(
        "body: give either 'refs' (task ids or patterns) or 'failed': true, not both");
  }
  return request;
}

}  // namespace allot
