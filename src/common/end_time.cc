#include "common/end_time.h"

#include <cctype>
#include <cstdio>
#include <ctime>
#include <string>

#include "common/units.h"

namespace allot {

Result<int64_t> ParseEndTime(std::string_view text, int64_t now_wall_us) {
  const std::string t(text);
  auto bad = [&t] {
    return Status::InvalidArgument(
        "'" + t + "': expected +DURATION (+2h), epoch seconds (1764730800) or "
        "YYYY-MM-DDTHH:MM[:SS] (local time; UTC with a trailing Z)");
  };
  if (t.empty()) return bad();
  if (t[0] == '+') {
    Result<Duration> d = ParseDuration(t.substr(1));
    if (!d.ok()) return bad();
    return now_wall_us + d->count();
  }
  bool digits = true;
  for (char c : t) digits = digits && std::isdigit(static_cast<unsigned char>(c));
  if (digits) {
    if (t.size() > 12) return bad();
    return static_cast<int64_t>(std::stoll(t)) * 1000000;
  }
  std::tm tm{};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  int used = 0;
  if (std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d:%2d%n", &year, &month, &day, &hour, &minute,
                  &used) != 5) {
    return bad();
  }
  std::string rest = t.substr(static_cast<size_t>(used));
  if (!rest.empty() && rest[0] == ':') {
    int more = 0;
    if (std::sscanf(rest.c_str(), ":%2d%n", &second, &more) != 1) return bad();
    rest = rest.substr(static_cast<size_t>(more));
  }
  const bool utc = rest == "Z";
  if (!rest.empty() && !utc) return bad();
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 ||
      second > 60) {
    return bad();
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  tm.tm_isdst = -1;
  const time_t seconds = utc ? timegm(&tm) : mktime(&tm);
  if (seconds == static_cast<time_t>(-1)) return bad();
  return static_cast<int64_t>(seconds) * 1000000;
}

}  // namespace allot
