// TimeUnit: the unit of resource x time (core-, GPU- and GiB-hours) a report shows its amounts
// in, chosen once per report from its total so that a short run reads "3.6 core-seconds", not
// "1e-03 core-hours", and every cell and chart of one report compares directly. The machine
// formats (CSV, JSON) stay in hours. Pure; thread-safe.
#pragma once

#include <string>

#include "report/usage_report.h"

namespace allot {

struct TimeUnit {
  double per_hour = 1;       // 1 (hours), 60 (minutes) or 3600 (seconds)
  std::string short_name;    // "h", "min", "s": "core-h"
  std::string long_name;     // "hours", "minutes", "seconds": "core-hours"
  double Of(double hours) const { return hours * per_hour; }
};

// Hours when `hours` is at least 1, minutes when at least 1 minute, else seconds.
TimeUnit TimeUnitFor(double hours);
// TimeUnitFor of the report's total allocated core-hours (or, without any, the largest of its
// GPU-hours and requested memory GiB-hours).
TimeUnit ReportTimeUnit(const UsageReport& report);

}  // namespace allot
