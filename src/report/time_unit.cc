#include "report/time_unit.h"

#include <algorithm>

namespace allot {

TimeUnit TimeUnitFor(double hours) {
  if (hours >= 1) return {1, "h", "hours"};
  if (hours * 60 >= 1) return {60, "min", "minutes"};
  return {3600, "s", "seconds"};
}

TimeUnit ReportTimeUnit(const UsageReport& report) {
  const GroupUsage& t = report.total;
  double basis = t.core_hours_allocated;
  if (basis <= 0) basis = std::max(t.gpu_hours, t.memory_gib_hours_requested);
  if (basis <= 0) return TimeUnitFor(1);  // nothing to show: hours
  return TimeUnitFor(basis);
}

}  // namespace allot
