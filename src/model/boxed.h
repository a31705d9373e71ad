// Boxed<T>: an optional T kept on the heap, with value semantics (deep copy, deep ==). For
// rarely set, large members of per-task structs: TaskSpec::checkpoint costs one pointer in
// the million specs that have none, instead of the struct's whole size (a TaskSpec is read on
// every scheduling decision; DESIGN.md's per-task budget). Thread-compatible.
#pragma once

#include <memory>
#include <optional>
#include <utility>

namespace allot {

template <typename T>
class Boxed {
 public:
  Boxed() = default;
  Boxed(std::nullopt_t) {}  // NOLINT: as std::optional
  Boxed(T value) : p_(std::make_unique<T>(std::move(value))) {}  // NOLINT: as std::optional
  Boxed(const std::optional<T>& o) {  // NOLINT: as std::optional
    if (o) p_ = std::make_unique<T>(*o);
  }
  Boxed(const Boxed& other) : p_(other.p_ ? std::make_unique<T>(*other.p_) : nullptr) {}
  Boxed(Boxed&&) noexcept = default;
  Boxed& operator=(const Boxed& other) {
    if (this != &other) p_ = other.p_ ? std::make_unique<T>(*other.p_) : nullptr;
    return *this;
  }
  Boxed& operator=(Boxed&&) noexcept = default;

  bool has_value() const { return p_ != nullptr; }
  explicit operator bool() const { return has_value(); }
  const T& operator*() const { return *p_; }
  T& operator*() { return *p_; }
  const T* operator->() const { return p_.get(); }
  T* operator->() { return p_.get(); }
  void reset() { p_.reset(); }

  friend bool operator==(const Boxed& a, const Boxed& b) {
    if (!a.p_ || !b.p_) return !a.p_ && !b.p_;
    return *a.p_ == *b.p_;
  }
  friend bool operator==(const Boxed& a, const T& b) { return a.p_ && *a.p_ == b; }
  friend bool operator==(const Boxed& a, const std::optional<T>& b) {
    return b ? a == *b : !a.p_;
  }

 private:
  std::unique_ptr<T> p_;
};

}  // namespace allot
