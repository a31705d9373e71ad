#include "report/usage_report.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "report/attempt_record.h"
#include "report/group_by.h"

namespace allot {
namespace {

constexpr double kUsPerHour = 3600.0 * 1e6;
constexpr double kBytesPerGiB = 1024.0 * 1024.0 * 1024.0;

void Add(const AttemptRecord& a, GroupUsage& g) {
  const double hours = static_cast<double>(a.Wall().count()) / kUsPerHour;
  ++g.attempts;
  if (a.succeeded()) {
    ++g.succeeded;
  } else {
    ++g.failed;
  }
  g.core_hours_allocated += a.cores * hours;
  g.core_hours_used += static_cast<double>(a.Cpu().count()) / kUsPerHour;
  g.gpu_hours += a.gpus * hours;
  g.memory_gib_hours_requested += static_cast<double>(a.memory_bytes) / kBytesPerGiB * hours;
  if (a.usage) {
    const AttemptUsage& u = *a.usage;
    g.memory_gib_hours_peak += static_cast<double>(u.max_rss_bytes) / kBytesPerGiB * hours;
    g.max_rss_bytes = std::max(g.max_rss_bytes, u.max_rss_bytes);
    g.peak_cores = std::max(g.peak_cores, u.peak_cores);
    g.read_bytes += u.read_bytes;
    g.write_bytes += u.write_bytes;
    if (u.memory_exceeded) ++g.memory_exceeded;
  }
  if (g.first_start_us == 0 || a.start_us < g.first_start_us) g.first_start_us = a.start_us;
  g.last_end_us = std::max(g.last_end_us, a.end_us);
}

std::vector<AttemptSpan> Timeline(const JournalContents& contents,
                                  const std::vector<AttemptRecord>& counted, int64_t* omitted) {
  std::vector<const AttemptRecord*> kept;
  for (const AttemptRecord& a : counted) {
    if (a.end != AttemptEnd::kSucceeded) kept.push_back(&a);
  }
  if (kept.size() > kMaxTimelineAttempts) kept.resize(kMaxTimelineAttempts);
  for (const AttemptRecord& a : counted) {
    if (kept.size() == kMaxTimelineAttempts) break;
    if (a.end == AttemptEnd::kSucceeded) kept.push_back(&a);
  }
  *omitted = static_cast<int64_t>(counted.size() - kept.size());
  std::stable_sort(kept.begin(), kept.end(), [](const AttemptRecord* x, const AttemptRecord* y) {
    return x->start_us < y->start_us;
  });
  std::vector<AttemptSpan> spans;
  spans.reserve(kept.size());
  for (const AttemptRecord* a : kept) {
    spans.push_back({contents.submissions[a->task].spec.id, a->attempt, a->start_us,
                     std::max(a->end_us, a->start_us), a->end, a->reason});
  }
  return spans;
}

int CapacityCores(const JournalContents& contents) {
  for (const auto& [key, value] : contents.meta) {
    if (key != "cores") continue;
    int cores = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), cores);
    if (ec == std::errc() && ptr == value.data() + value.size() && cores > 0) return cores;
  }
  return 0;
}

}  // namespace

std::optional<double> GroupUsage::Efficiency() const {
  if (core_hours_allocated <= 0) return std::nullopt;
  return std::clamp(core_hours_used / core_hours_allocated, 0.0, 1.0);
}

namespace {

// UsageReport::metrics of `contents` (see there).
void BuildMetricSeries(const JournalContents& contents, const UsageReportOptions& options,
                       UsageReport* report) {
  struct Series {
    std::vector<const MetricPoint*> points;
  };
  std::map<std::string, std::map<std::string, Series>> by_metric;  // metric -> group -> series
  std::map<std::string, size_t> counts;
  std::map<std::string, bool> all_steps;
  std::map<std::string, int64_t> first_us;
  std::vector<std::string> group_of(contents.submissions.size());
  std::vector<bool> grouped(contents.submissions.size(), false);
  for (const MetricPoint& m : contents.metrics) {
    if (m.task >= contents.submissions.size()) continue;
    if (options.since_us && m.time_us < *options.since_us) continue;
    if (!grouped[m.task]) {
      group_of[m.task] = GroupOf(contents.submissions[m.task].spec, options.by,
                                 options.default_user);
      grouped[m.task] = true;
    }
    by_metric[m.name][group_of[m.task]].points.push_back(&m);
    ++counts[m.name];
    auto [steps, added] = all_steps.try_emplace(m.name, true);
    steps->second = steps->second && m.step.has_value();
    auto [first, fresh] = first_us.try_emplace(m.name, m.time_us);
    if (!fresh) first->second = std::min(first->second, m.time_us);
  }
  std::vector<std::string> metrics;
  for (const auto& [name, n] : counts) metrics.push_back(name);
  std::stable_sort(metrics.begin(), metrics.end(), [&](const std::string& a, const std::string& b) {
    return counts[a] > counts[b];
  });
  for (size_t i = kMaxMetricCharts; i < metrics.size(); ++i) {
    report->metric_series_omitted += static_cast<int64_t>(by_metric[metrics[i]].size());
  }
  if (metrics.size() > kMaxMetricCharts) metrics.resize(kMaxMetricCharts);
  std::sort(metrics.begin(), metrics.end());
  for (const std::string& name : metrics) {
    std::vector<std::pair<std::string, Series*>> groups;
    for (auto& [group, series] : by_metric[name]) groups.emplace_back(group, &series);
    std::stable_sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) {
      return a.second->points.size() > b.second->points.size();
    });
    if (groups.size() > static_cast<size_t>(kMaxMetricGroups)) {
      report->metric_series_omitted += static_cast<int64_t>(groups.size() - kMaxMetricGroups);
      groups.resize(kMaxMetricGroups);
    }
    std::sort(groups.begin(), groups.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [group, series] : groups) {
      MetricSeries out;
      out.metric = name;
      out.group = group;
      out.by_step = all_steps[name];
      const size_t n = series->points.size();
      const size_t stride = (n + kMaxSeriesPoints - 1) / kMaxSeriesPoints;
      for (size_t k = 0; k < n; k += std::max<size_t>(1, stride)) {
        const MetricPoint* p = series->points[k];
        const double x = out.by_step ? static_cast<double>(*p->step)
                                     : static_cast<double>(p->time_us - first_us[name]) / 1e6;
        out.points.emplace_back(x, p->value);
      }
      report->metrics.push_back(std::move(out));
    }
  }
}

}  // namespace

UsageReport BuildUsageReport(const JournalContents& contents, const UsageReportOptions& options) {
  UsageReport report;
  report.by = options.by;
  report.since_us = options.since_us;
  report.capacity_cores = CapacityCores(contents);
  report.total.group = "(total)";

  std::vector<AttemptRecord> counted;
  for (AttemptRecord& a : EndedAttempts(contents)) {
    if (options.since_us && a.end_us < *options.since_us) continue;
    if (a.task >= contents.submissions.size()) continue;  // not in this journal: ignore
    counted.push_back(std::move(a));
  }

  // A task is in one group: it counts there (and in the total) at its first counted attempt.
  std::map<std::string, GroupUsage> by_name;
  std::vector<GroupUsage*> group_of(contents.submissions.size(), nullptr);
  for (const AttemptRecord& a : counted) {
    GroupUsage*& g = group_of[a.task];
    if (!g) {
      std::string name =
          GroupOf(contents.submissions[a.task].spec, options.by, options.default_user);
      g = &by_name[name];
      g->group = std::move(name);
      ++g->tasks;
      ++report.total.tasks;
    }
    Add(a, *g);
    Add(a, report.total);
  }
  for (auto& [name, g] : by_name) report.groups.push_back(std::move(g));
  std::stable_sort(report.groups.begin(), report.groups.end(),
                   [](const GroupUsage& x, const GroupUsage& y) {
                     return x.core_hours_allocated > y.core_hours_allocated;
                   });
  report.utilization = SweepUtilization(counted, options.utilization_bins);
  report.timeline = Timeline(contents, counted, &report.timeline_omitted);
  BuildMetricSeries(contents, options, &report);
  return report;
}

}  // namespace allot
