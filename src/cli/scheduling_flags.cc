#include "cli/scheduling_flags.h"

#include <cstdlib>

#include "common/units.h"

namespace allot {

Result<std::optional<Duration>> ParsePreemptAfter(const std::string& text) {
  if (text == "never") return std::optional<Duration>();
  Result<Duration> d = ParseDuration(text);
  if (!d.ok()) {
    return Status::InvalidArgument("--preempt-after " + text +
                                   ": expected a duration such as 5min or 30s, or never");
  }
  return std::optional<Duration>(*d);
}

Result<std::map<std::string, double>> ParseShares(const std::vector<std::string>& entries) {
  std::map<std::string, double> weights;
  for (const std::string& s : entries) {
    const size_t eq = s.find('=');
    const std::string weight = eq == std::string::npos ? "" : s.substr(eq + 1);
    char* end = nullptr;
    const double w = std::strtod(weight.c_str(), &end);
    if (eq == std::string::npos || eq == 0 || weight.empty() || *end != '\0' || !(w > 0) ||
        w > 1e9) {
      return Status::InvalidArgument(
          "--share " + s + ": expected PROJECT=WEIGHT with a positive weight, like detector=2 "
          "(the project is a task's tags.project)");
    }
    weights[s.substr(0, eq)] = w;
  }
  return weights;
}

Result<Duration> ParseShareHalfLife(const std::string& text) {
  Result<Duration> d = ParseDuration(text);
  if (!d.ok() || *d <= Duration(0)) {
    return Status::InvalidArgument("--share-half-life " + text +
                                   ": expected a positive duration, such as 1h or 7d");
  }
  return *d;
}

}  // namespace allot
