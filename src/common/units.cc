#include "common/units.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

namespace allot {
namespace {

constexpr std::string_view kDurationHelp =
    "expected seconds (\"90\"), a number with a unit ms, s, m/min, h, d (\"10min\", \"1h30m\", "
    "\"1.5h\") or [[D-]HH:]MM:SS";
constexpr std::string_view kSizeHelp =
    "expected bytes (\"1048576\") or a number with a unit K, M, G, T (\"512M\", \"2GiB\", "
    "\"1.5g\")";

// Keeps the value far from int64 overflow after rounding.
constexpr double kMaxMicros = 9.0e18;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

void SkipSpaces(std::string_view text, size_t* pos) {
  while (*pos < text.size() && std::isspace(static_cast<unsigned char>(text[*pos]))) ++*pos;
}

// Reads digits with at most one '.', at least one digit. Returns false when none.
bool ReadDecimal(std::string_view text, size_t* pos, double* out) {
  size_t start = *pos;
  bool dot = false;
  int digits = 0;
  while (*pos < text.size()) {
    char c = text[*pos];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      ++digits;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
    ++*pos;
  }
  if (digits == 0) {
    *pos = start;
    return false;
  }
  *out = std::strtod(std::string(text.substr(start, *pos - start)).c_str(), nullptr);
  return true;
}

bool ReadUnsigned(std::string_view text, int64_t* out) {
  if (text.empty() || text.size() > 12) return false;
  int64_t v = 0;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Microseconds per unit, 0 when unknown.
double DurationUnitMicros(std::string_view unit) {
  std::string u = Lower(unit);
  if (u == "us") return 1;
  if (u == "ms") return 1e3;
  if (u == "s" || u == "sec" || u == "secs") return 1e6;
  if (u == "m" || u == "min" || u == "mins") return 60e6;
  if (u == "h" || u == "hr" || u == "hrs") return 3600e6;
  if (u == "d") return 86400e6;
  return 0;
}

Status BadDuration(std::string_view text, std::string_view why = "") {
  std::string m = "invalid duration '" + std::string(text) + "'";
  if (!why.empty()) m += " (" + std::string(why) + ")";
  return Status::InvalidArgument(m + ": " + std::string(kDurationHelp));
}

// [[D-]HH:]MM:SS
Result<Duration> ParseClockDuration(std::string_view text) {
  std::string_view rest = text;
  int64_t days = 0;
  if (size_t dash = rest.find('-'); dash != std::string_view::npos) {
    if (!ReadUnsigned(rest.substr(0, dash), &days)) return BadDuration(text);
    rest.remove_prefix(dash + 1);
  }
  std::vector<int64_t> parts;
  while (true) {
    size_t colon = rest.find(':');
    int64_t v = 0;
    if (!ReadUnsigned(rest.substr(0, colon), &v)) return BadDuration(text);
    parts.push_back(v);
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  if (parts.size() < 2 || parts.size() > 3) return BadDuration(text);
  if (days > 0 && parts.size() != 3) return BadDuration(text, "days need HH:MM:SS");
  int64_t hours = parts.size() == 3 ? parts[0] : 0;
  int64_t minutes = parts[parts.size() - 2];
  int64_t seconds = parts.back();
  if (seconds >= 60) return BadDuration(text, "seconds must be below 60");
  if (parts.size() == 3 && minutes >= 60) return BadDuration(text, "minutes must be below 60");
  if (days > 0 && hours >= 24) return BadDuration(text, "hours must be below 24");
  double micros =
      ((static_cast<double>(days) * 24 + hours) * 3600 + minutes * 60.0 + seconds) * 1e6;
  if (micros > kMaxMicros) return BadDuration(text, "too large");
  return Duration(static_cast<int64_t>(micros));
}

}  // namespace

Result<Duration> ParseDuration(std::string_view input) {
  std::string_view text = Trim(input);
  if (text.empty()) return Status::InvalidArgument("empty duration: " + std::string(kDurationHelp));
  if (text.front() == '-') return BadDuration(text, "must not be negative");
  if (text.front() == '+') text.remove_prefix(1);
  if (text.find(':') != std::string_view::npos) return ParseClockDuration(text);

  double total = 0;
  size_t pos = 0;
  bool any = false;
  while (true) {
    SkipSpaces(text, &pos);
    if (pos == text.size()) break;
    double number = 0;
    if (!ReadDecimal(text, &pos, &number)) return BadDuration(text);
    SkipSpaces(text, &pos);
    size_t unit_start = pos;
    while (pos < text.size() && std::isalpha(static_cast<unsigned char>(text[pos]))) ++pos;
    std::string_view unit = text.substr(unit_start, pos - unit_start);
    if (unit.empty()) {
      // A bare number is seconds, but only on its own: "1m30" is ambiguous.
      if (any || pos != text.size()) return BadDuration(text, "a number without a unit");
      total = number * 1e6;
      any = true;
      break;
    }
    double per = DurationUnitMicros(unit);
    if (per == 0) return BadDuration(text, "unknown unit '" + std::string(unit) + "'");
    total += number * per;
    any = true;
  }
  if (!any) return BadDuration(text);
  if (!(total <= kMaxMicros)) return BadDuration(text, "too large");
  return Duration(std::llround(total));
}

Result<int64_t> ParseSize(std::string_view input) {
  std::string_view text = Trim(input);
  auto bad = [&](std::string_view why) {
    std::string m = "invalid size '" + std::string(text) + "'";
    if (!why.empty()) m += " (" + std::string(why) + ")";
    return Status::InvalidArgument(m + ": " + std::string(kSizeHelp));
  };
  if (text.empty()) return Status::InvalidArgument("empty size: " + std::string(kSizeHelp));
  if (text.front() == '-') return bad("must not be negative");
  if (text.front() == '+') text.remove_prefix(1);
  size_t pos = 0;
  double number = 0;
  if (!ReadDecimal(text, &pos, &number)) return bad("");
  bool fractional = text.substr(0, pos).find('.') != std::string_view::npos;
  SkipSpaces(text, &pos);
  std::string unit = Lower(text.substr(pos));
  double scale = 1;
  if (!unit.empty() && unit != "b") {
    static constexpr std::string_view kPrefixes = "kmgtp";
    size_t p = kPrefixes.find(unit[0]);
    std::string_view suffix = std::string_view(unit).substr(1);
    if (p == std::string_view::npos || !(suffix.empty() || suffix == "b" || suffix == "ib")) {
      return bad("unknown unit '" + std::string(text.substr(pos)) + "'");
    }
    scale = std::pow(1024.0, static_cast<double>(p + 1));
  } else if (fractional) {
    return bad("a number of bytes must be whole");
  }
  double bytes = number * scale;
  if (!(bytes <= 9.0e18)) return bad("too large");
  return static_cast<int64_t>(std::llround(bytes));
}

std::string FormatDuration(Duration d) {
  int64_t us = d.count();
  if (us < 0) return "-" + FormatDuration(Duration(-us));
  char buf[64];
  constexpr int64_t kSecond = 1000000;
  constexpr int64_t kMinute = 60 * kSecond;
  constexpr int64_t kHour = 60 * kMinute;
  constexpr int64_t kDay = 24 * kHour;
  if (us < 1000) {
    std::snprintf(buf, sizeof buf, "%lldus", static_cast<long long>(us));
  } else if (us < kSecond) {
    std::snprintf(buf, sizeof buf, "%lldms", static_cast<long long>(us / 1000));
  } else if (us < kMinute) {
    int64_t tenths = us / 100000;
    if (tenths % 10 == 0) {
      std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(tenths / 10));
    } else {
      std::snprintf(buf, sizeof buf, "%lld.%llds", static_cast<long long>(tenths / 10),
                    static_cast<long long>(tenths % 10));
    }
  } else if (us < kHour) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(us / kMinute),
                  static_cast<long long>(us % kMinute / kSecond));
  } else if (us < kDay) {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(us / kHour),
                  static_cast<long long>(us % kHour / kMinute));
  } else {
    std::snprintf(buf, sizeof buf, "%lldd%02lldh", static_cast<long long>(us / kDay),
                  static_cast<long long>(us % kDay / kHour));
  }
  return buf;
}

std::string FormatSize(int64_t bytes) {
  if (bytes < 0) {
    if (bytes == std::numeric_limits<int64_t>::min()) return "-8 EiB";
    return "-" + FormatSize(-bytes);
  }
  char buf[64];
  if (bytes < 1024) {
    std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
    return buf;
  }
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double value = static_cast<double>(bytes) / 1024;
  int unit = 0;
  while (value >= 1024 && unit < 5) {
    value /= 1024;
    ++unit;
  }
  double tenths = std::floor(value * 10 + 0.5) / 10;
  if (tenths >= 1024 && unit < 5) {
    tenths = 1;
    ++unit;
  }
  if (tenths == std::floor(tenths)) {
    std::snprintf(buf, sizeof buf, "%.0f %s", tenths, kUnits[unit]);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f %s", tenths, kUnits[unit]);
  }
  return buf;
}

std::string Counted(int64_t n, std::string_view noun) {
  return std::to_string(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
}

}  // namespace allot
