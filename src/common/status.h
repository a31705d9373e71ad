// Status: the outcome of an operation that can fail, returned by value at module boundaries.
// A task that exits non-zero is a task state, never a Status. Thread-compatible.
//
// A Status may carry diagnostics: the structured problems behind a bad-input refusal (file,
// line, column, task, field, message). They travel beside the message, which stays as it was
// ("tasks.yaml: 2 problems"), so that every boundary (HTTP body, CLI, Python) hands them on as
// data and nothing parses a place back out of text.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/diagnostic.h"

namespace allot {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // the caller's input is wrong (bad file, bad flag, bad id)
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition, // the system is not in a state that allows the operation
  kIoError,            // the operating system refused (file, process, socket)
  kCorruption,         // stored data cannot be understood
  kUnavailable,        // transient: busy, try again
  kInternal,           // a bug
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "OK" or "<code name>: <message>".
  std::string ToString() const;
  // Returns a copy whose message is "<prefix>: <message>" (diagnostics kept); OK stays OK.
  Status WithPrefix(std::string_view prefix) const;

  // The structured problems behind this status, in the order given; empty for most.
  const std::vector<Diagnostic>& diagnostics() const;
  // Returns a copy carrying `diagnostics` (replacing any it had); the message is unchanged.
  // OK stays OK, without diagnostics.
  Status WithDiagnostics(std::vector<Diagnostic> diagnostics) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  // Shared and never changed once attached: copying a Status stays two words more.
  std::shared_ptr<const std::vector<Diagnostic>> diagnostics_;
};

// Errno-based helper: IoError "<what>: <strerror(err)>".
Status ErrnoStatus(std::string_view what, int err);

}  // namespace allot

#define ALLOT_RETURN_IF_ERROR(expr)              \
  do {                                           \
    ::allot::Status allot_status_ = (expr);      \
    if (!allot_status_.ok()) return allot_status_; \
  } while (0)
