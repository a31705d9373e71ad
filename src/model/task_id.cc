#include "model/task_id.h"

#include <cstdio>
#include <string>

#include "common/utf8.h"

namespace allot {
namespace {

std::string CodePointName(char32_t c) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "U+%04X", static_cast<unsigned>(c));
  return buffer;
}

}  // namespace

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
  size_t pos = 0;
  while (pos < id.size()) {
    char32_t c;
    if (!DecodeUtf8(id, &pos, &c)) {
      return Status::InvalidArgument("an id must be valid UTF-8 (byte " +
                                     std::to_string(pos + 1) + " is not)");
    }
    if (c == '/') {
      return Status::InvalidArgument("an id must not contain '/' (ids name directories)");
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
      return Status::InvalidArgument("an id must not contain whitespace");
    }
    if (c < 0x20 || c == 0x7f) {
      return Status::InvalidArgument("an id must not contain control characters");
    }
    if (IsInvisibleOrControl(c)) {
      return Status::InvalidArgument("an id must not contain invisible, spacing or "
                                     "direction-changing characters (" +
                                     CodePointName(c) + ")");
    }
    if (c == '*' || c == '?') {
      return Status::InvalidArgument(
          "an id must not contain '*' or '?' (they make depends_on patterns)");
    }
    if (c == '@') {
      return Status::InvalidArgument(
          "an id must not contain '@' (<id>@<attempt> names one execution of a task)");
    }
    if (c == ',') {
      return Status::InvalidArgument(
          "an id must not contain ',' (commands take comma-separated lists of ids)");
    }
  }
  return Status::Ok();
}

std::string ExecutionRef(std::string_view task_id, uint32_t attempt) {
  std::string ref(task_id);
  ref += '@';
  ref += std::to_string(attempt);
  return ref;
}

std::optional<std::pair<std::string_view, uint32_t>> SplitExecutionRef(std::string_view ref) {
  const size_t at = ref.rfind('@');
  if (at == std::string_view::npos || at == 0) return std::nullopt;
  std::string_view digits = ref.substr(at + 1);
  if (digits.empty() || digits.size() > 10) return std::nullopt;
  uint64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  if (n == 0 || n > UINT32_MAX) return std::nullopt;
  return std::make_pair(ref.substr(0, at), static_cast<uint32_t>(n));
}

}  // namespace allot
