// MsgpackReader: the checked reading behind the worker-message decoders. It parses one
// MessagePack frame into a JSON value without ever throwing or recursing deeper than kMaxDepth
// (a frame of 100,000 nested one-element arrays is a parse error, not a stack overflow), and
// reads typed, range-checked fields from it. The first problem is kept, as Corruption
// "worker message <type>: <path>: <what>"; later reads are no-ops that return false.
// Thread-compatible; an internal helper of the protocol layer.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/status.h"

namespace allot {

class MsgpackReader {
 public:
  // Nesting the worker messages never exceed (register.finished[i] is depth 3).
  static constexpr int kMaxDepth = 16;

  // Parses `frame`; Corruption "worker message: ..." when it is not one MessagePack map.
  static Status Parse(std::string_view frame, nlohmann::json* out);

  explicit MsgpackReader(std::string type) : type_(std::move(type)) {}

  // A field of `object`; nullptr (and a "missing" problem) when absent. `path` names `object`
  // in messages ("" for the message itself, "attempts[2]" for a nested one).
  const nlohmann::json* Field(const nlohmann::json& object, std::string_view path,
                              std::string_view key);
  // `value` read as a whole number in [lo, hi]; `where` names it.
  bool Int(const nlohmann::json& value, const std::string& where, int64_t lo, int64_t hi,
           int64_t* out);
  bool Uint64(const nlohmann::json& value, const std::string& where, uint64_t* out);
  bool String(const nlohmann::json& value, const std::string& where, std::string* out);
  bool Bool(const nlohmann::json& value, const std::string& where, bool* out);
  // A finite number (integer or float).
  bool Double(const nlohmann::json& value, const std::string& where, double* out);
  // True when `value` is an array (an object for Object); else records the problem.
  bool Array(const nlohmann::json& value, const std::string& where);
  bool Object(const nlohmann::json& value, const std::string& where);

  // Records a problem (only the first is kept) and returns false.
  bool Fail(const std::string& where, std::string_view what);
  bool ok() const { return problem_.empty(); }
  // OK, or Corruption naming the type, the place and the problem.
  Status status() const;

 private:
  std::string type_;
  std::string problem_;
};

// "attempts" + 2 -> "attempts[2]"; "" + "cpus" -> "cpus"; "attempts[2]" + "cpus" ->
// "attempts[2].cpus".
std::string JoinPath(std::string_view path, std::string_view key);
std::string IndexPath(std::string_view path, size_t index);

}  // namespace allot
