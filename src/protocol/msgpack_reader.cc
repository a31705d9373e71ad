#include "protocol/msgpack_reader.h"

#include <cmath>

#include <exception>
#include <limits>

namespace allot {
namespace {

using json = nlohmann::json;

// Builds the DOM like nlohmann's own parser, but refuses nesting past kMaxDepth before the
// recursive binary reader goes deeper, and keeps the parse error's text.
class BoundedDomParser {
 public:
  explicit BoundedDomParser(json* out) : dom_(*out, /*allow_exceptions=*/false) {}

  bool null() { return dom_.null(); }
  bool boolean(bool v) { return dom_.boolean(v); }
  bool number_integer(json::number_integer_t v) { return dom_.number_integer(v); }
  bool number_unsigned(json::number_unsigned_t v) { return dom_.number_unsigned(v); }
  bool number_float(json::number_float_t v, const json::string_t& s) {
    return dom_.number_float(v, s);
  }
  bool string(json::string_t& v) { return dom_.string(v); }
  bool binary(json::binary_t& v) { return dom_.binary(v); }
  bool key(json::string_t& v) { return dom_.key(v); }
  bool start_object(std::size_t n) { return Deeper() && dom_.start_object(n); }
  bool end_object() {
    --depth_;
    return dom_.end_object();
  }
  bool start_array(std::size_t n) { return Deeper() && dom_.start_array(n); }
  bool end_array() {
    --depth_;
    return dom_.end_array();
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
    error_ = e.what();
    return false;
  }

  const std::string& error() const { return error_; }

 private:
  bool Deeper() {
    if (++depth_ <= MsgpackReader::kMaxDepth) return true;
    error_ = "nested deeper than " + std::to_string(MsgpackReader::kMaxDepth) + " levels";
    return false;
  }

  nlohmann::detail::json_sax_dom_parser<json> dom_;
  int depth_ = 0;
  std::string error_;
};

}  // namespace

std::string JoinPath(std::string_view path, std::string_view key) {
  if (path.empty()) return std::string(key);
  std::string out(path);
  out += '.';
  out += key;
  return out;
}

std::string IndexPath(std::string_view path, size_t index) {
  return std::string(path) + "[" + std::to_string(index) + "]";
}

Status MsgpackReader::Parse(std::string_view frame, json* out) {
  *out = json();
  if (frame.empty()) return Status::Corruption("worker message: empty frame");
  BoundedDomParser parser(out);
  bool parsed = false;
  try {
    parsed = json::sax_parse(frame.begin(), frame.end(), &parser, json::input_format_t::msgpack,
                             /*strict=*/true);
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("worker message: not MessagePack: ") + e.what());
  }
  if (!parsed) {
    std::string why = parser.error().empty() ? "malformed" : parser.error();
    return Status::Corruption("worker message: not MessagePack: " + why);
  }
  if (!out->is_object()) return Status::Corruption("worker message: not a MessagePack map");
  return Status::Ok();
}

const json* MsgpackReader::Field(const json& object, std::string_view path, std::string_view key) {
  if (!ok()) return nullptr;
  auto it = object.find(key);
  if (it == object.end()) {
    Fail(JoinPath(path, key), "missing");
    return nullptr;
  }
  return &*it;
}

bool MsgpackReader::Int(const json& value, const std::string& where, int64_t lo, int64_t hi,
                        int64_t* out) {
  if (!ok()) return false;
  bool in_range = false;
  if (value.is_number_unsigned()) {
    uint64_t u = value.get<uint64_t>();
    in_range = hi >= 0 && u <= static_cast<uint64_t>(hi) && static_cast<int64_t>(u) >= lo;
    if (in_range) *out = static_cast<int64_t>(u);
  } else if (value.is_number_integer()) {
    int64_t i = value.get<int64_t>();
    in_range = i >= lo && i <= hi;
    if (in_range) *out = i;
  }
  if (in_range) return true;
  return Fail(where,
              "expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

bool MsgpackReader::Uint64(const json& value, const std::string& where, uint64_t* out) {
  if (!ok()) return false;
  if (value.is_number_unsigned()) {
    *out = value.get<uint64_t>();
    return true;
  }
  if (value.is_number_integer() && value.get<int64_t>() >= 0) {
    *out = static_cast<uint64_t>(value.get<int64_t>());
    return true;
  }
  return Fail(where, "expected an unsigned 64-bit integer");
}

bool MsgpackReader::String(const json& value, const std::string& where, std::string* out) {
  if (!ok()) return false;
  if (!value.is_string()) return Fail(where, "expected a string");
  *out = value.get_ref<const std::string&>();
  return true;
}

bool MsgpackReader::Bool(const json& value, const std::string& where, bool* out) {
  if (!ok()) return false;
  if (!value.is_boolean()) return Fail(where, "expected true or false");
  *out = value.get<bool>();
  return true;
}

bool MsgpackReader::Double(const json& value, const std::string& where, double* out) {
  if (!ok()) return false;
  if (!value.is_number()) return Fail(where, "expected a number");
  const double v = value.get<double>();
  if (!std::isfinite(v)) return Fail(where, "expected a finite number");
  *out = v;
  return true;
}

bool MsgpackReader::Array(const json& value, const std::string& where) {
  if (!ok()) return false;
  return value.is_array() || Fail(where, "expected an array");
}

bool MsgpackReader::Object(const json& value, const std::string& where) {
  if (!ok()) return false;
  return value.is_object() || Fail(where, "expected a map");
}

bool MsgpackReader::Fail(const std::string& where, std::string_view what) {
  if (problem_.empty()) {
    problem_ = where.empty() ? std::string(what) : where + ": " + std::string(what);
  }
  return false;
}

Status MsgpackReader::status() const {
  if (ok()) return Status::Ok();
  return Status::Corruption("worker message " + type_ + ": " + problem_);
}

}  // namespace allot
