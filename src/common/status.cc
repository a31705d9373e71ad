#include "common/status.h"

#include <cstring>

namespace allot {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "invalid argument";
    case StatusCode::kNotFound: return "not found";
    case StatusCode::kAlreadyExists: return "already exists";
    case StatusCode::kFailedPrecondition: return "failed precondition";
    case StatusCode::kIoError: return "I/O error";
    case StatusCode::kCorruption: return "corruption";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kInternal: return "internal error";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(StatusCodeName(code_)) + ": " + message_;
}

Status Status::WithPrefix(std::string_view prefix) const {
  if (ok()) return *this;
  Status out(code_, std::string(prefix) + ": " + message_);
  out.diagnostics_ = diagnostics_;
  return out;
}

const std::vector<Diagnostic>& Status::diagnostics() const {
  static const std::vector<Diagnostic> kNone;
  return diagnostics_ ? *diagnostics_ : kNone;
}

Status Status::WithDiagnostics(std::vector<Diagnostic> diagnostics) const {
  Status out = *this;
  if (ok() || diagnostics.empty()) {
    out.diagnostics_.reset();
  } else {
    out.diagnostics_ = std::make_shared<const std::vector<Diagnostic>>(std::move(diagnostics));
  }
  return out;
}

Status ErrnoStatus(std::string_view what, int err) {
  return Status::IoError(std::string(what) + ": " + std::strerror(err));
}

}  // namespace allot
