// The table, CSV and JSON renderings of report_format.h.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "common/units.h"
#include "report/report_format.h"
#include "report/report_time.h"
#include "report/svg_chart.h"
#include "report/time_unit.h"

namespace allot {
namespace {

// Hours for people: small campaigns are fractions of an hour, large ones thousands.
std::string Hours(double h) {
  if (h == 0) return "0";
  if (h >= 100) return fmt::format("{:.0f}", h);
  if (h >= 1) return fmt::format("{:.2f}", h);
  return fmt::format("{:.3g}", h);
}

std::string Percent(const std::optional<double>& fraction) {
  return fraction ? fmt::format("{:.0f}%", *fraction * 100) : "-";
}

std::string SpanText(const GroupUsage& g) { return g.attempts ? FormatDuration(g.Span()) : "-"; }

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string Number(double v) { return fmt::format("{}", v); }

std::string CsvRow(const GroupUsage& g) {
  const auto eff = g.Efficiency();
  return fmt::format(
      "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", CsvField(g.group), g.tasks,
      g.attempts, g.succeeded, g.failed, Number(g.core_hours_allocated), Number(g.core_hours_used),
      eff ? Number(*eff) : "", Number(g.gpu_hours), Number(g.memory_gib_hours_requested),
      Number(g.memory_gib_hours_peak), g.attempts ? FormatUtcTimestamp(g.first_start_us) : "",
      g.attempts ? FormatUtcTimestamp(g.last_end_us) : "",
      g.attempts ? Number(ToSeconds(g.Span())) : "", g.max_rss_bytes, Number(g.peak_cores),
      g.read_bytes, g.write_bytes, g.memory_exceeded);
}

nlohmann::ordered_json GroupJson(const GroupUsage& g) {
  nlohmann::ordered_json j;
  j["group"] = g.group;
  j["tasks"] = g.tasks;
  j["attempts"] = g.attempts;
  j["succeeded"] = g.succeeded;
  j["failed"] = g.failed;
  j["core_hours_allocated"] = g.core_hours_allocated;
  j["core_hours_used"] = g.core_hours_used;
  const auto eff = g.Efficiency();
  j["efficiency"] = eff ? nlohmann::ordered_json(*eff) : nlohmann::ordered_json(nullptr);
  j["gpu_hours"] = g.gpu_hours;
  j["memory_gib_hours_requested"] = g.memory_gib_hours_requested;
  j["memory_gib_hours_peak"] = g.memory_gib_hours_peak;
  const bool any = g.attempts > 0;
  j["first_start"] = any ? nlohmann::ordered_json(FormatUtcTimestamp(g.first_start_us)) : nullptr;
  j["last_end"] = any ? nlohmann::ordered_json(FormatUtcTimestamp(g.last_end_us)) : nullptr;
  j["span_seconds"] = any ? nlohmann::ordered_json(ToSeconds(g.Span())) : nullptr;
  j["max_rss_bytes"] = g.max_rss_bytes;
  j["peak_cores"] = g.peak_cores;
  j["read_bytes"] = g.read_bytes;
  j["write_bytes"] = g.write_bytes;
  j["memory_exceeded"] = g.memory_exceeded;
  return j;
}

}  // namespace

Result<ReportFormat> ParseReportFormat(std::string_view text) {
  if (text == "table") return ReportFormat::kTable;
  if (text == "csv") return ReportFormat::kCsv;
  if (text == "json") return ReportFormat::kJson;
  if (text == "html") return ReportFormat::kHtml;
  return Status::InvalidArgument("unknown format '" + std::string(text) +
                                 "' (expected table, csv, json or html)");
}

std::string RenderTable(const UsageReport& report, const RenderContext& context) {
  std::string out = fmt::format("Usage by {}", report.by.Name());
  if (report.since_us) out += " since " + FormatLocalTimestamp(*report.since_us);
  out += fmt::format(": {} attempt{} of {} task{}", report.total.attempts,
                     report.total.attempts == 1 ? "" : "s", report.total.tasks,
                     report.total.tasks == 1 ? "" : "s");
  if (!context.source.empty()) out += " in " + context.source;
  out += "\n";
  size_t width = 5;
  for (const GroupUsage& g : report.groups) width = std::max(width, g.group.size());
  width = std::max(width, report.total.group.size());
  auto row = [&](std::string_view group, auto... cells) {
    return fmt::format(
        "{:<{}} {:>6} {:>8} {:>6} {:>6} {:>12} {:>12} {:>5} {:>8} {:>12} {:>12} "
        "{:>9}\n",
        group, width, cells...);
  };
  // One unit of time for the whole table, from its total (report/time_unit.h).
  const TimeUnit unit = ReportTimeUnit(report);
  std::string u = unit.short_name;
  std::transform(u.begin(), u.end(), u.begin(), [](unsigned char c) { return std::toupper(c); });
  out += row("GROUP", "TASKS", "ATTEMPTS", "OK", "FAILED", "CORE-" + u + " ALLOC",
             "CORE-" + u + " USED", "EFF", "GPU-" + u, "MEM GIB-" + u + " REQ",
             "MEM GIB-" + u + " PEAK", "SPAN");
  auto Hours = [&unit](double hours) { return allot::Hours(unit.Of(hours)); };
  auto line = [&](const GroupUsage& g) {
    return row(g.group, g.tasks, g.attempts, g.succeeded, g.failed, Hours(g.core_hours_allocated),
               Hours(g.core_hours_used), Percent(g.Efficiency()), Hours(g.gpu_hours),
               Hours(g.memory_gib_hours_requested), Hours(g.memory_gib_hours_peak), SpanText(g));
  };
  for (const GroupUsage& g : report.groups) out += line(g);
  out += line(report.total);
  return out;
}

std::string RenderCsv(const UsageReport& report) {
  std::string out =
      "group,tasks,attempts,succeeded,failed,core_hours_allocated,core_hours_used,efficiency,"
      "gpu_hours,memory_gib_hours_requested,memory_gib_hours_peak,first_start,last_end,"
      "span_seconds,max_rss_bytes,peak_cores,read_bytes,write_bytes,memory_exceeded\n";
  for (const GroupUsage& g : report.groups) out += CsvRow(g);
  out += CsvRow(report.total);
  return out;
}

std::string RenderJson(const UsageReport& report, const RenderContext& context) {
  nlohmann::ordered_json j;
  j["by"] = report.by.Name();
  j["since"] =
      report.since_us ? nlohmann::ordered_json(FormatUtcTimestamp(*report.since_us)) : nullptr;
  j["source"] = context.source;
  j["capacity_cores"] =
      report.capacity_cores ? nlohmann::ordered_json(report.capacity_cores) : nullptr;
  nlohmann::ordered_json groups = nlohmann::ordered_json::array();
  for (const GroupUsage& g : report.groups) groups.push_back(GroupJson(g));
  j["groups"] = std::move(groups);
  j["total"] = GroupJson(report.total);
  return j.dump(2) + "\n";
}

std::string RenderReport(const UsageReport& report, ReportFormat format,
                         const RenderContext& context) {
  switch (format) {
    case ReportFormat::kTable:
      return RenderTable(report, context);
    case ReportFormat::kCsv:
      return RenderCsv(report);
    case ReportFormat::kJson:
      return RenderJson(report, context);
    case ReportFormat::kHtml:
      return RenderHtml(report, context);
  }
  return "";
}

}  // namespace allot
