// Status: the outcome of an operation that can fail, returned by value at module boundaries.
// A task that exits non-zero is a task state, never a Status. Thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <utility>

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
  // Returns a copy whose message is "<prefix>: <message>"; OK stays OK.
  Status WithPrefix(std::string_view prefix) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Errno-based helper: IoError "<what>: <strerror(err)>".
Status ErrnoStatus(std::string_view what, int err);

}  // namespace allot

#define ALLOT_RETURN_IF_ERROR(expr)              \
  do {                                           \
    ::allot::Status allot_status_ = (expr);      \
    if (!allot_status_.ok()) return allot_status_; \
  } while (0)
