// The output formats of `allot report`, each a pure rendering of a UsageReport:
//   table  aligned columns for a terminal, a totals row last
//   csv    one header line, one row per group, the totals row last (group "(total)");
//          RFC 4180 quoting, "\n" line ends
//   json   {"by", "since", "source", "capacity_cores", "groups": [...], "total": {...}}
//   html   one self-contained page (inline CSS and SVG, no scripts or external resources)
//          with the charts of report_charts.h and the table
// Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "report/usage_report.h"
#include "study/study_view.h"

namespace allot {

enum class ReportFormat { kTable, kCsv, kJson, kHtml };

// "table", "csv", "json" or "html".
Result<ReportFormat> ParseReportFormat(std::string_view text);

struct RenderContext {
  std::string source;                      // where the journal was read from, for people
  std::optional<int64_t> generated_at_us;  // shown in the HTML page when set
  // The same attempts by task: the HTML page's per-group charts show it instead when the
  // report has a single group (one bar says nothing). Not owned; may be null.
  const UsageReport* by_task = nullptr;
  // The journal's study (`allot study run`): the HTML page gets its section
  // (report/study_chart.h). Not owned; may be null.
  const StudyView* study = nullptr;
};

std::string RenderTable(const UsageReport& report, const RenderContext& context);
std::string RenderCsv(const UsageReport& report);
std::string RenderJson(const UsageReport& report, const RenderContext& context);
std::string RenderHtml(const UsageReport& report, const RenderContext& context);

std::string RenderReport(const UsageReport& report, ReportFormat format,
                         const RenderContext& context);

}  // namespace allot
