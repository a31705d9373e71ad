#include "model/task_id.h"

#include <string>

namespace allot {

Status ValidateTaskId(std::string_view id) {
  if (id.empty()) return Status::InvalidArgument("an id must not be empty");
  if (id == "." || id == "..") {
    return Status::InvalidArgument("'" + std::string(id) +
                                   "' cannot be an id (ids name directories)");
  }
  if (id.size() > kMaxTaskIdLength) {
    return Status::InvalidArgument("an id must be at most " + std::to_string(kMaxTaskIdLength) +
                                   " bytes long (ids name directories)");
  }
  for (char ch : id) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == '/') {
      return Status::InvalidArgument("an id must not contain '/' (ids name directories)");
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
      return Status::InvalidArgument("an id must not contain whitespace");
    }
    if (c < 0x20 || c == 0x7f) {
      return Status::InvalidArgument("an id must not contain control characters");
    }
    if (c == '*' || c == '?') {
      return Status::InvalidArgument(
          "an id must not contain '*' or '?' (they make depends_on patterns)");
    }
  }
  return Status::Ok();
}

}  // namespace allot
