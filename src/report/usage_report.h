// UsageReport: where a campaign's resources went, per group (report/group_by.h), computed from
// the journal's ended attempts (report/attempt_record.h). What `allot report` prints in every
// format. BuildUsageReport is a pure function of the journal's contents; thread-compatible.
//
// Per attempt:
//   allocated core-hours  cores held x wall        GPU-hours  GPUs held x wall
//   used core-hours       (user + system CPU)      memory GiB-hours requested: memory held x wall,
//                                                  peak: peak RSS x wall
// The rest sums or maxes the attempts' measured usage (model/task_event.h AttemptUsage).
// An attempt counts when it ended (at or after `since_us` when given); running ones do not.
// A group's tasks are the distinct tasks with a counted attempt; `failed` counts every counted
// attempt that did not succeed (failed, timed out, canceled, preempted, lost, retried).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "journal/journal_store.h"
#include "model/task_attempt.h"
#include "report/group_by.h"
#include "report/utilization_timeline.h"

namespace allot {

struct GroupUsage {
  std::string group;
  int64_t tasks = 0;
  int64_t attempts = 0;
  int64_t succeeded = 0;
  int64_t failed = 0;
  double core_hours_allocated = 0;
  double core_hours_used = 0;
  double gpu_hours = 0;
  double memory_gib_hours_requested = 0;
  double memory_gib_hours_peak = 0;
  int64_t max_rss_bytes = 0;  // the largest peak RSS of an attempt
  double peak_cores = 0;      // the most cores an attempt kept busy (sampled; 0 unmeasured)
  int64_t read_bytes = 0;     // through system calls, summed over attempts
  int64_t write_bytes = 0;
  int64_t memory_exceeded = 0;  // attempts killed for going above their memory
  int64_t first_start_us = 0;   // earliest start of a counted attempt (0 when none)
  int64_t last_end_us = 0;      // latest end of a counted attempt (0 when none)

  // Used / allocated core-hours in [0, 1]; nullopt when nothing was allocated.
  std::optional<double> Efficiency() const;
  Duration Span() const { return Duration(last_end_us - first_start_us); }
};

// One ended attempt on the HTML page's timeline.
struct AttemptSpan {
  std::string task;  // the task's id
  uint32_t attempt = 0;
  int64_t start_us = 0;
  int64_t end_us = 0;
  AttemptEnd end = AttemptEnd::kFailed;
  std::string reason;
};
// The timeline keeps at most this many attempts: every one that did not succeed first, then
// the succeeded ones in the order they ended (the lot shown in the order they started).
inline constexpr size_t kMaxTimelineAttempts = 2000;

struct UsageReportOptions {
  GroupBy by;
  std::optional<int64_t> since_us;  // Unix microseconds
  std::string default_user;         // grouping by user, for tasks without tags.user
  int utilization_bins = 400;       // REQUIRES: > 0
};

// One group's points of one intermediate metric (model/metric_point.h), for the report's
// metric charts: x is the step where every point of the metric has one, else seconds since
// the metric's first point; y the value. In the order reported.
struct MetricSeries {
  std::string metric;
  std::string group;
  bool by_step = true;
  std::vector<std::pair<double, double>> points;
};

inline constexpr size_t kMaxMetricCharts = 6;        // the most reported metrics
inline constexpr size_t kMaxSeriesPoints = 2000;     // per series; more are thinned evenly
inline constexpr size_t kMaxMetricGroups = 20;       // per metric: the groups with most points

struct UsageReport {
  GroupBy by;
  std::optional<int64_t> since_us;
  // Largest allocated core-hours first, then by name.
  std::vector<GroupUsage> groups;
  GroupUsage total;  // group "(total)": over every counted attempt
  std::vector<UtilizationBin> utilization;
  std::vector<AttemptSpan> timeline;  // in the order they started (kMaxTimelineAttempts)
  int64_t timeline_omitted = 0;       // counted attempts left out of it
  int capacity_cores = 0;  // the journal's meta "cores" (allot run); 0 when unknown
  // The intermediate metrics by group (since since_us): the kMaxMetricCharts metrics with the
  // most points, each with up to kMaxMetricGroups groups (the most points first); by metric,
  // then group.
  std::vector<MetricSeries> metrics;
  int64_t metric_series_omitted = 0;  // series left out by those limits
};

UsageReport BuildUsageReport(const JournalContents& contents, const UsageReportOptions& options);

}  // namespace allot
