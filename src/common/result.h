// Result<T>: a value or the Status saying why there is none. Thread-compatible.
#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "common/status.h"

namespace allot {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT: implicit by design
  // REQUIRES: !status.ok()
  Result(Status status) : data_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(data_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  // OK when a value is present.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(data_); }

  // REQUIRES: ok()
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace allot

#define ALLOT_CONCAT_INNER_(a, b) a##b
#define ALLOT_CONCAT_(a, b) ALLOT_CONCAT_INNER_(a, b)
// ALLOT_ASSIGN_OR_RETURN(auto x, Foo()); returns Foo()'s Status from the enclosing function
// when it failed.
#define ALLOT_ASSIGN_OR_RETURN(lhs, expr) \
  ALLOT_ASSIGN_OR_RETURN_IMPL_(ALLOT_CONCAT_(allot_result_, __LINE__), lhs, expr)
#define ALLOT_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
