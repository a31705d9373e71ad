// The charts of the HTML report, each one inline <svg> element with a stable id, a
// <title>, axes with labels and a legend, and data elements with stable classes (what tests
// and style sheets select):
//   #utilization        cores allocated vs used over the campaign's span: two step areas
//                       (path.area.allocated, path.area.used), and line.capacity where the
//                       journal knows the machine's cores
//   #usage-by-group     core-hours allocated vs used per group: paired horizontal bars
//                       (rect.bar.allocated, rect.bar.used)
//   #requested-vs-used  the gap per group, as bullet bars in two panels: cores (core-hours
//                       allocated vs used) and memory (GiB-hours requested vs peak):
//                       rect.bar.requested under rect.bar.used, with the used share labelled
//   #metric-N           an intermediate metric per group over steps (MetricSvgs)
//   #attempts           every ended attempt (UsageReport::timeline) as a bar from start to end,
//                       packed into lanes, classed by how it ended (rect.attempt.succeeded,
//                       .failed, .timeout, .memory-killed, .canceled, .preempted, .lost)
//                       with a <title> naming the task, attempt, end, duration and reason
// Groups beyond kMaxChartGroups (the largest by allocated core-hours are kept) are left out
// of the charts, and the chart says so; the table has them all. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "report/usage_report.h"

namespace allot {

inline constexpr int kMaxChartGroups = 20;

std::string UtilizationSvg(const UsageReport& report);
std::string AttemptTimelineSvg(const UsageReport& report);
std::string UsageByGroupSvg(const UsageReport& report);
std::string RequestedVsUsedSvg(const UsageReport& report);
// One chart per metric of UsageReport::metrics (#metric-1, #metric-2, ... in metric order):
// a line per group (path.series, with a <title> naming the group), x the step (or seconds
// since the metric's first point), y the value; empty when there are none.
std::vector<std::string> MetricSvgs(const UsageReport& report);

}  // namespace allot
