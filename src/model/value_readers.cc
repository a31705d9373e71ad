#include "model/value_readers.h"

#include <cmath>

#include "common/units.h"

namespace allot {

std::string DescribeValue(const OrderedJson& v) {
  switch (v.type()) {
    case OrderedJson::value_t::null:
      return "null";
    case OrderedJson::value_t::array:
      return "a list";
    case OrderedJson::value_t::object:
      return "a mapping";
    case OrderedJson::value_t::string: {
      const std::string& s = v.get_ref<const std::string&>();
      if (s.size() <= 40) return v.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
      size_t cut = 37;  // at a character boundary
      while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
      return OrderedJson(s.substr(0, cut) + "...")
          .dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
    }
    default:
      return v.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
  }
}

std::optional<int64_t> AsInteger(const OrderedJson& v) {
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
      return std::nullopt;
    }
    return v.get<int64_t>();
  }
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e18) {
      return static_cast<int64_t>(d);
    }
  }
  return std::nullopt;
}

Result<int64_t> ReadInteger(const OrderedJson& v, int64_t min, int64_t max,
                            const std::string& expected) {
  std::optional<int64_t> i = AsInteger(v);
  if (!i || *i < min || *i > max) {
    return Status::InvalidArgument("must be " + expected + " (got " + DescribeValue(v) + ")");
  }
  return *i;
}

Result<Duration> ReadDuration(const OrderedJson& v, bool allow_zero) {
  const std::string expected =
      "a duration like \"1h30m\", \"10min\", \"90s\", \"01:30:00\" or a number of seconds";
  Duration d{0};
  if (v.is_number()) {
    double seconds = v.get<double>();
    if (!std::isfinite(seconds) || seconds < 0 || seconds > 9.0e12) {
      return Status::InvalidArgument("must be " + expected + " (got " + DescribeValue(v) + ")");
    }
    d = Duration(std::llround(seconds * 1e6));
  } else if (v.is_string()) {
    Result<Duration> parsed = ParseDuration(v.get_ref<const std::string&>());
    if (!parsed.ok()) return Status::InvalidArgument(parsed.status().message());
    d = *parsed;
  } else {
    return Status::InvalidArgument("must be " + expected + " (got " + DescribeValue(v) + ")");
  }
  if (d.count() == 0 && !allow_zero) {
    return Status::InvalidArgument("must be greater than zero (got " + DescribeValue(v) + ")");
  }
  return d;
}

Result<int64_t> ReadSize(const OrderedJson& v) {
  if (v.is_string()) {
    Result<int64_t> parsed = ParseSize(v.get_ref<const std::string&>());
    if (!parsed.ok()) return Status::InvalidArgument(parsed.status().message());
    return *parsed;
  }
  std::optional<int64_t> bytes = AsInteger(v);
  // -0 is not a size either: a sign says the writer meant something else.
  const bool negative_zero = v.is_number_float() && std::signbit(v.get<double>());
  if (!bytes || *bytes < 0 || negative_zero) {
    return Status::InvalidArgument(
        "must be a size like \"2G\", \"512M\" or a number of bytes (got " + DescribeValue(v) + ")");
  }
  return *bytes;
}

Result<std::string> ReadText(const OrderedJson& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number() || v.is_boolean()) return v.dump();
  return Status::InvalidArgument("must be a string or a number (got " + DescribeValue(v) + ")");
}

}  // namespace allot
