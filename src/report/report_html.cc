// The HTML rendering of report_format.h: one self-contained page. No scripts, fonts, images or
// links to anything outside it, so it can be mailed, archived with a grant report, or opened
// on a cluster's login node without network.
#include <fmt/format.h>

#include <string>

#include "common/units.h"
#include "report/report_charts.h"
#include "report/report_format.h"
#include "report/report_time.h"
#include "report/study_chart.h"
#include "report/svg_chart.h"
#include "report/time_unit.h"

namespace allot {
namespace {

constexpr const char* kStyle = R"css(
:root { --allocated: #a9bfdc; --used: #1f5fa8; --requested: #f2cf9b; --peak: #d2691e; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222;
       background: #f6f7f9; margin: 0; }
main { max-width: 1040px; margin: 0 auto; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 18px 0 4px; }
.meta { color: #666; margin: 0 0 18px; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin-bottom: 18px; }
.card { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: 10px 14px;
        flex: 1 1 130px; }
.card .v { font-size: 20px; font-weight: 600; }
.card .k { color: #666; font-size: 12px; }
figure { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; margin: 0 0 18px;
         padding: 8px; }
svg.chart { display: block; max-width: 100%; height: auto; font-size: 12px; }
svg .chart-title { font-size: 15px; font-weight: 600; }
svg .panel-title { font-size: 13px; font-weight: 600; }
svg .grid { stroke: #e6e8ec; }
svg .tick, svg .domain { stroke: #888; }
svg .axis text { fill: #444; }
svg .axis-label { fill: #222; font-weight: 600; }
svg .note, svg .empty { fill: #777; font-style: italic; }
svg .value { fill: #333; font-size: 11px; }
svg .allocated { fill: var(--allocated); }
svg .used { fill: var(--used); }
svg .requested { fill: var(--requested); }
svg .peak { fill: var(--peak); }
svg .panel.cores .requested { fill: var(--allocated); }
svg .panel.cores .used { fill: var(--used); }
svg .panel.memory .requested { fill: var(--requested); }
svg .panel.memory .used { fill: var(--peak); }
svg path.area.allocated { fill: var(--allocated); fill-opacity: .85; stroke: #7f9cc4; }
svg path.area.used { fill: var(--used); fill-opacity: .8; stroke: #174a84; }
svg .capacity { stroke: #c0392b; stroke-dasharray: 6 4; stroke-width: 1.5; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 12px; }
th, td { border: 1px solid #dde1e7; padding: 4px 6px; text-align: right; }
td { white-space: nowrap; }
th { font-weight: 600; vertical-align: bottom; }
th:first-child, td:first-child { text-align: left; }
th { background: #eef1f5; }
tr.total td { font-weight: 600; background: #f3f5f8; }
p.note { color: #555; font-style: italic; margin: 0 0 8px; }
svg .attempt.succeeded { fill: #8fbf8f; }
svg .attempt.failed { fill: #c0392b; }
svg .attempt.timeout { fill: #e67e22; }
svg .attempt.memory-killed { fill: #8e44ad; }
svg .attempt.canceled { fill: #95a5a6; }
svg .attempt.preempted { fill: #5d6d7e; }
svg .attempt.lost { fill: #2c3e50; }
)css";


std::string EfficiencyText(const GroupUsage& g) {
  const auto eff = g.Efficiency();
  return eff ? fmt::format("{:.0f}%", *eff * 100) : "-";
}

std::string Card(const std::string& value, const std::string& key) {
  return fmt::format(
      "<div class=\"card\"><div class=\"v\">{}</div><div class=\"k\">{}</div>"
      "</div>\n",
      XmlEscape(value), XmlEscape(key));
}

std::string TableRow(const GroupUsage& g, bool total, const TimeUnit& unit) {
  auto Hours = [&unit](double hours) { return CompactNumber(unit.Of(hours)); };
  return fmt::format(
      "<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
      "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
      total ? " class=\"total\"" : "", XmlEscape(g.group), g.tasks, g.attempts, g.succeeded,
      g.failed, Hours(g.core_hours_allocated), Hours(g.core_hours_used), EfficiencyText(g),
      Hours(g.gpu_hours), Hours(g.memory_gib_hours_requested), Hours(g.memory_gib_hours_peak),
      g.max_rss_bytes ? FormatSize(g.max_rss_bytes) : "-", g.memory_exceeded,
      g.attempts ? FormatDuration(g.Span()) : "-");
}

}  // namespace

std::string RenderHtml(const UsageReport& report, const RenderContext& context) {
  const GroupUsage& t = report.total;
  std::string title = "Allot usage report by " + report.by.Name();
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n",
      XmlEscape(title), kStyle, XmlEscape(title));
  std::string meta;
  if (!context.source.empty()) meta += "Journal " + context.source + ". ";
  if (t.attempts) {
    meta += "Attempts ran from " + FormatLocalTimestamp(t.first_start_us) + " to " +
            FormatLocalTimestamp(t.last_end_us) + ". ";
  }
  if (report.since_us) {
    meta += "Counting attempts that ended since " + FormatLocalTimestamp(*report.since_us) +
            ". ";
  }
  if (context.generated_at_us) {
    meta += "Generated " + FormatLocalTimestamp(*context.generated_at_us) + ".";
  }
  out += fmt::format("<p class=\"meta\">{}</p>\n", XmlEscape(meta));

  const TimeUnit unit = ReportTimeUnit(report);
  auto Hours = [&unit](double hours) { return CompactNumber(unit.Of(hours)); };
  const std::string& u = unit.long_name;
  out += "<div class=\"cards\" id=\"totals\">\n";
  out += Card(Hours(t.core_hours_allocated), "core-" + u + " allocated");
  out += Card(Hours(t.core_hours_used), "core-" + u + " used");
  out += Card(EfficiencyText(t), "CPU efficiency");
  out += Card(Hours(t.gpu_hours), "GPU-" + u);
  out += Card(Hours(t.memory_gib_hours_peak),
              "memory GiB-" + u + " at peak, of " + Hours(t.memory_gib_hours_requested) +
                  " requested");
  out += Card(std::to_string(t.attempts),
              fmt::format("attempts ({} failed) of {} tasks", t.failed, t.tasks));
  out += "</div>\n";
  if (context.study != nullptr) out += StudySectionHtml(*context.study);

  out += "<figure>\n" + UtilizationSvg(report) + "</figure>\n";
  out += "<figure>\n" + AttemptTimelineSvg(report) + "</figure>\n";
  // With one group, bars per group say nothing: the charts show its tasks instead.
  const bool one_group = report.groups.size() == 1 && context.by_task != nullptr &&
                         context.by_task->groups.size() > 1;
  const UsageReport& charted = one_group ? *context.by_task : report;
  if (one_group) {
    out += fmt::format(
        "<p class=\"note\" id=\"one-group\">Every attempt is in one {} ({}): the charts "
        "below show its tasks.</p>\n",
        XmlEscape(report.by.Name()), XmlEscape(report.groups[0].group));
  }
  out += "<figure>\n" + UsageByGroupSvg(charted) + "</figure>\n";
  out += "<figure>\n" + RequestedVsUsedSvg(charted) + "</figure>\n";
  for (const std::string& chart : MetricSvgs(report)) out += "<figure>\n" + chart + "</figure>\n";
  if (report.metric_series_omitted > 0) {
    out += fmt::format(
        "<p class=\"note\" id=\"metrics-omitted\">{} metric series are not charted (at most "
        "{} metrics, {} groups each).</p>\n",
        report.metric_series_omitted, kMaxMetricCharts, kMaxMetricGroups);
  }

  out += fmt::format(
      "<table id=\"groups\">\n<thead><tr><th>{0}</th><th>tasks</th><th>attempts</th>"
      "<th>succeeded</th><th>failed</th><th>core-{1} allocated</th><th>core-{1} used</th>"
      "<th>efficiency</th><th>GPU-{1}</th><th>memory GiB-{1} requested</th>"
      "<th>memory GiB-{1} peak</th><th>largest peak RSS</th><th>killed for memory</th>"
      "<th>span</th></tr></thead>\n<tbody>\n",
      XmlEscape(report.by.Name()), unit.short_name);
  for (const GroupUsage& g : report.groups) out += TableRow(g, false, unit);
  out += TableRow(t, true, unit);
  out += "</tbody>\n</table>\n</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace allot
