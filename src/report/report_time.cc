#include "report/report_time.h"

#include <fmt/format.h>

#include <cctype>
#include <ctime>

#include "common/units.h"

namespace allot {
namespace {

constexpr const char* kAccepted =
    "expected a date (2024-05-01, 2024-05-01T08:30[:00], local time, or UTC with a trailing Z) "
    "or a duration back from now (3d, 12h, 90min)";

// Reads exactly `n` digits at text[*pos].
bool ReadDigits(std::string_view text, size_t* pos, size_t n, int* out) {
  if (*pos + n > text.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = text[*pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

bool Expect(std::string_view text, size_t* pos, char c) {
  if (*pos >= text.size() || text[*pos] != c) return false;
  ++*pos;
  return true;
}

Result<int64_t> ParseDate(std::string_view text) {
  const Status bad = Status::InvalidArgument("'" + std::string(text) + "': " + kAccepted);
  std::tm tm{};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  size_t pos = 0;
  if (!ReadDigits(text, &pos, 4, &year) || !Expect(text, &pos, '-') ||
      !ReadDigits(text, &pos, 2, &month) || !Expect(text, &pos, '-') ||
      !ReadDigits(text, &pos, 2, &day)) {
    return bad;
  }
  if (pos < text.size() && (text[pos] == 'T' || text[pos] == ' ')) {
    ++pos;
    if (!ReadDigits(text, &pos, 2, &hour) || !Expect(text, &pos, ':') ||
        !ReadDigits(text, &pos, 2, &minute)) {
      return bad;
    }
    if (pos < text.size() && text[pos] == ':' && (++pos, !ReadDigits(text, &pos, 2, &second))) {
      return bad;
    }
  }
  bool utc = false;
  if (pos < text.size() && text[pos] == 'Z') {
    utc = true;
    ++pos;
  }
  if (pos != text.size() || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
      minute > 59 || second > 59) {
    return bad;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  tm.tm_isdst = -1;
  const std::time_t t = utc ? timegm(&tm) : std::mktime(&tm);
  // Both normalize out-of-range days ("2024-02-30" -> March 1st): reject those.
  if (t == static_cast<std::time_t>(-1) || tm.tm_mday != day || tm.tm_mon != month - 1) {
    return bad;
  }
  return static_cast<int64_t>(t) * 1'000'000;
}

}  // namespace

Result<int64_t> ParseSince(std::string_view text, int64_t now_us) {
  if (text.size() >= 5 && std::isdigit(static_cast<unsigned char>(text[0])) && text[4] == '-') {
    return ParseDate(text);
  }
  Result<Duration> back = ParseDuration(text);
  if (!back.ok()) {
    return Status::InvalidArgument("'" + std::string(text) + "': " + kAccepted);
  }
  return now_us - back->count();
}

std::string FormatUtcTimestamp(int64_t unix_us) {
  std::time_t t = static_cast<std::time_t>(unix_us / 1'000'000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string FormatLocalTimestamp(int64_t unix_us) {
  std::time_t t = static_cast<std::time_t>(unix_us / 1'000'000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[64] = {};
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %Z", &tm);
  return buf;
}

}  // namespace allot
