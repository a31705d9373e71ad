#include "report/report_charts.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>

#include "common/units.h"
#include "report/svg_chart.h"
#include "report/timeline_lanes.h"
#include "report/time_unit.h"

namespace allot {
namespace {

constexpr int kWidth = 1000;
constexpr int kRow = 30;  // one group's row in the bar charts
constexpr int kLabelWidth = 190;

std::string Truncate(const std::string& s, size_t n) {
  return s.size() <= n ? s : s.substr(0, n - 1) + "\u2026";
}

std::string SvgOpen(const char* id, int height, const std::string& title,
                    const std::string& description) {
  return fmt::format(
      "<svg id=\"{0}\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {1} "
      "{2}\" width=\"{1}\" height=\"{2}\" role=\"img\" aria-labelledby=\"{0}-title {0}-desc\">\n"
      "<title id=\"{0}-title\">{3}</title>\n<desc id=\"{0}-desc\">{4}</desc>\n"
      "<text class=\"chart-title\" x=\"10\" y=\"22\">{3}</text>\n",
      id, kWidth, height, XmlEscape(title), XmlEscape(description));
}

std::string LegendItem(double x, double y, const char* css_class, const std::string& label) {
  return fmt::format(
      "<rect class=\"swatch {}\" x=\"{}\" y=\"{}\" width=\"14\" height=\"14\"/>"
      "<text class=\"legend-label\" x=\"{}\" y=\"{}\">{}</text>\n",
      css_class, Coord(x), Coord(y - 11), Coord(x + 20), Coord(y), XmlEscape(label));
}

std::string EmptyNote(double x, double y) {
  return fmt::format(
      "<text class=\"empty\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">no ended "
      "attempts</text>\n",
      Coord(x), Coord(y));
}

// A horizontal value axis at `y` from x0 to x1 for values 0..ticks.back(), with gridlines up
// to `grid_top`.
std::string ValueAxis(const std::vector<double>& ticks, double x0, double x1, double y,
                      double grid_top, const std::string& label) {
  std::string out = "<g class=\"axis x\">\n";
  const double max = ticks.back();
  for (double t : ticks) {
    const double x = x0 + (x1 - x0) * t / max;
    out += fmt::format(
        "<line class=\"grid\" x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\"/>"
        "<text x=\"{0}\" y=\"{3}\" text-anchor=\"middle\">{4}</text>\n",
        Coord(x), Coord(grid_top), Coord(y), Coord(y + 16), CompactNumber(t));
  }
  out += fmt::format("<line class=\"domain\" x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\"/>\n",
                     Coord(x0), Coord(x1), Coord(y));
  out += fmt::format(
      "<text class=\"axis-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}"
      "</text>\n</g>\n",
      Coord((x0 + x1) / 2), Coord(y + 36), XmlEscape(label));
  return out;
}

std::vector<const GroupUsage*> ChartGroups(const UsageReport& report) {
  std::vector<const GroupUsage*> groups;
  for (const GroupUsage& g : report.groups) {
    if (groups.size() == static_cast<size_t>(kMaxChartGroups)) break;
    groups.push_back(&g);
  }
  return groups;
}

std::string OmittedNote(const UsageReport& report, double y) {
  if (report.groups.size() <= static_cast<size_t>(kMaxChartGroups)) return "";
  return fmt::format(
      "<text class=\"note\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{} of {} groups "
      "shown (the largest); the table lists all</text>\n",
      kWidth - 10, Coord(y), kMaxChartGroups, report.groups.size());
}

std::string GroupLabels(const std::vector<const GroupUsage*>& groups, double top) {
  std::string out = "<g class=\"axis y\">\n";
  for (size_t i = 0; i < groups.size(); ++i) {
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", kLabelWidth - 8,
                       Coord(top + i * kRow + kRow / 2.0 + 4),
                       XmlEscape(Truncate(groups[i]->group, 26)));
  }
  return out + "</g>\n";
}

// One panel of bullet bars: requested (wide, light) under used (narrow, dark), the used share
// labelled at the right.
std::string BulletPanel(const std::vector<const GroupUsage*>& groups, double x0, double x1,
                        double top, const std::string& axis_label,
                        const std::function<double(const GroupUsage&)>& requested,
                        const std::function<double(const GroupUsage&)>& used,
                        const char* panel_class) {
  double max = 0;
  for (const GroupUsage* g : groups) max = std::max({max, requested(*g), used(*g)});
  const std::vector<double> ticks = NiceTicks(max, 5);
  const double bottom = top + groups.size() * kRow;
  const double scale = (x1 - x0) / ticks.back();
  std::string out = fmt::format("<g class=\"panel {}\">\n", panel_class);
  out += ValueAxis(ticks, x0, x1, bottom + 4, top, axis_label);
  for (size_t i = 0; i < groups.size(); ++i) {
    const GroupUsage& g = *groups[i];
    const double y = top + i * kRow;
    const double r = requested(g);
    const double u = used(g);
    const std::string name = XmlEscape(g.group);
    out += fmt::format(
        "<rect class=\"bar requested\" data-group=\"{}\" x=\"{}\" y=\"{}\" "
        "width=\"{}\" height=\"{}\"><title>{}: {} requested</title></rect>\n",
        name, Coord(x0), Coord(y + 5), Coord(r * scale), kRow - 10, name, CompactNumber(r));
    out += fmt::format(
        "<rect class=\"bar used\" data-group=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" "
        "height=\"{}\"><title>{}: {} used</title></rect>\n",
        name, Coord(x0), Coord(y + 11), Coord(u * scale), kRow - 22, name, CompactNumber(u));
    const std::string share = r > 0 ? fmt::format("{:.0f}%", 100 * u / r) : "no request";
    out += fmt::format("<text class=\"value\" x=\"{}\" y=\"{}\">{}</text>\n",
                       Coord(x0 + std::max(r, u) * scale + 4), Coord(y + kRow / 2.0 + 4), share);
  }
  return out + "</g>\n";
}

// The CSS class of an attempt's end: "succeeded", "failed", "timeout", "memory-killed", ...
std::string EndClass(AttemptEnd end) { return std::string(AttemptEndName(end)); }

}  // namespace

std::string AttemptTimelineSvg(const UsageReport& report) {
  constexpr double kLeft = 70, kRight = kWidth - 20, kTop = 64;
  constexpr double kLane = 12;  // one lane's height
  constexpr int kMaxLanes = 60;
  const std::vector<AttemptSpan>& spans = report.timeline;
  std::vector<std::pair<int64_t, int64_t>> intervals;
  intervals.reserve(spans.size());
  for (const AttemptSpan& a : spans) intervals.emplace_back(a.start_us, a.end_us);
  const std::vector<int> lanes = PackIntoLanes(intervals);
  int lane_count = 0;
  for (int l : lanes) lane_count = std::max(lane_count, l + 1);
  const int shown_lanes = std::min(lane_count, kMaxLanes);
  const double bottom = kTop + std::max(shown_lanes, 3) * kLane;
  const int height = static_cast<int>(bottom) + 60;
  std::string out = SvgOpen("attempts", height, "Attempts over time, by how they ended",
                            "Every ended attempt as a bar from its start to its end, packed "
                            "into lanes (as many as ran at once), coloured by how it ended");
  // The legend: the kinds of end present, with their counts.
  std::map<AttemptEnd, int64_t> counts;
  for (const AttemptSpan& a : spans) ++counts[a.end];
  double x = kLeft;
  for (const auto& [end, n] : counts) {
    const std::string label = fmt::format("{} {}", EndClass(end), n);
    out += fmt::format(
        "<rect class=\"swatch attempt {}\" x=\"{}\" y=\"31\" width=\"14\" height=\"14\"/>"
        "<text class=\"legend-label\" x=\"{}\" y=\"42\">{}</text>\n",
        EndClass(end), Coord(x), Coord(x + 20), XmlEscape(label));
    x += 40 + 7.0 * static_cast<double>(label.size());
  }
  if (spans.empty()) return out + EmptyNote(kWidth / 2.0, height / 2.0) + "</svg>\n";
  int64_t first = spans.front().start_us, last = spans.front().end_us;
  for (const AttemptSpan& a : spans) {
    first = std::min(first, a.start_us);
    last = std::max(last, a.end_us);
  }
  if (last <= first) last = first + 1'000'000;
  auto px = [&](int64_t t) {
    return kLeft + (kRight - kLeft) * static_cast<double>(t - first) /
                       static_cast<double>(last - first);
  };
  out += "<g class=\"axis x\">\n";
  for (int64_t t : TimeTicks(first, last, 8)) {
    out += fmt::format(
        "<line class=\"grid\" x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\"/>"
        "<text x=\"{0}\" y=\"{3}\" text-anchor=\"middle\">{4}</text>\n",
        Coord(px(t)), Coord(kTop), Coord(bottom), Coord(bottom + 16),
        TimeTickLabel(t, last - first));
  }
  out += fmt::format(
      "<line class=\"domain\" x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\"/>"
      "<text class=\"axis-label\" x=\"{3}\" y=\"{4}\" text-anchor=\"middle\">time ({5})"
      "</text>\n</g>\n",
      Coord(kLeft), Coord(kRight), Coord(bottom), Coord((kLeft + kRight) / 2), Coord(bottom + 40),
      XmlEscape(LocalZoneName(first)));
  out += "<g class=\"attempts\">\n";
  int64_t hidden = report.timeline_omitted;
  for (size_t i = 0; i < spans.size(); ++i) {
    if (lanes[i] >= kMaxLanes) {
      ++hidden;
      continue;
    }
    const AttemptSpan& a = spans[i];
    const double x0 = px(a.start_us);
    const double w = std::max(1.0, px(a.end_us) - x0);
    std::string title = fmt::format("{} attempt {}: {} after {}", a.task, a.attempt,
                                    EndClass(a.end),
                                    FormatDuration(Duration(a.end_us - a.start_us)));
    if (!a.reason.empty()) title += " (" + a.reason + ")";
    out += fmt::format(
        "<rect class=\"attempt {}\" data-task=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" "
        "height=\"{}\"><title>{}</title></rect>\n",
        EndClass(a.end), XmlEscape(a.task), Coord(x0), Coord(kTop + lanes[i] * kLane + 1),
        Coord(w), Coord(kLane - 2), XmlEscape(title));
  }
  out += "</g>\n";
  if (hidden > 0) {
    out += fmt::format(
        "<text class=\"note\" x=\"{}\" y=\"22\" text-anchor=\"end\">{} more attempts not "
        "drawn (every failure is, up to {})</text>\n",
        kWidth - 10, hidden, kMaxTimelineAttempts);
  }
  return out + "</svg>\n";
}

std::string UtilizationSvg(const UsageReport& report) {
  constexpr double kLeft = 70, kRight = kWidth - 20, kTop = 50, kBottom = 290;
  const int height = 350;
  std::string out = SvgOpen("utilization", height, "Cores allocated vs used over time",
                            "Mean cores held by running attempts and mean cores they kept busy, "
                            "over the campaign's span");
  out += LegendItem(kLeft, 42, "allocated", "cores allocated");
  out += LegendItem(kLeft + 150, 42, "used", "cores used (CPU time)");
  const auto& bins = report.utilization;
  if (bins.empty()) return out + EmptyNote(kWidth / 2.0, height / 2.0) + "</svg>\n";
  double max = report.capacity_cores;
  for (const UtilizationBin& b : bins) max = std::max({max, b.cores_allocated, b.cores_used});
  const std::vector<double> ticks = NiceTicks(max, 5);
  const int64_t first = bins.front().begin_us;
  const int64_t last = bins.back().end_us;
  auto x = [&](int64_t t) {
    return kLeft +
           (kRight - kLeft) * static_cast<double>(t - first) / static_cast<double>(last - first);
  };
  auto y = [&](double v) { return kBottom - (kBottom - kTop) * v / ticks.back(); };

  out += "<g class=\"axis y\">\n";
  for (double t : ticks) {
    out += fmt::format(
        "<line class=\"grid\" x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\"/>"
        "<text x=\"{3}\" y=\"{4}\" text-anchor=\"end\">{5}</text>\n",
        Coord(kLeft), Coord(kRight), Coord(y(t)), Coord(kLeft - 6), Coord(y(t) + 4),
        CompactNumber(t));
  }
  out += fmt::format(
      "<text class=\"axis-label\" transform=\"translate(18 {}) rotate(-90)\" "
      "text-anchor=\"middle\">cores</text>\n</g>\n",
      Coord((kTop + kBottom) / 2));
  out += "<g class=\"axis x\">\n";
  for (int64_t t : TimeTicks(first, last, 8)) {
    out += fmt::format(
        "<line class=\"tick\" x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\"/>"
        "<text x=\"{0}\" y=\"{3}\" text-anchor=\"middle\">{4}</text>\n",
        Coord(x(t)), Coord(kBottom), Coord(kBottom + 5), Coord(kBottom + 20),
        TimeTickLabel(t, last - first));
  }
  out += fmt::format("<line class=\"domain\" x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\"/>\n",
                     Coord(kLeft), Coord(kRight), Coord(kBottom));
  out += fmt::format(
      "<text class=\"axis-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">time "
      "({})</text>\n</g>\n",
      Coord((kLeft + kRight) / 2), Coord(kBottom + 45), XmlEscape(LocalZoneName(first)));

  auto area = [&](const char* css_class, double UtilizationBin::*value) {
    std::string d = fmt::format("M{},{}", Coord(x(first)), Coord(y(0)));
    for (const UtilizationBin& b : bins) {
      d += fmt::format("L{},{}L{},{}", Coord(x(b.begin_us)), Coord(y(b.*value)), Coord(x(b.end_us)),
                       Coord(y(b.*value)));
    }
    d += fmt::format("L{},{}Z", Coord(x(last)), Coord(y(0)));
    return fmt::format("<path class=\"area {}\" d=\"{}\"/>\n", css_class, d);
  };
  out += area("allocated", &UtilizationBin::cores_allocated);
  out += area("used", &UtilizationBin::cores_used);
  if (report.capacity_cores > 0) {
    const double cy = y(report.capacity_cores);
    out += fmt::format(
        "<line class=\"capacity\" x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\"/>"
        "<text class=\"note\" x=\"{3}\" y=\"{4}\" text-anchor=\"end\">capacity {5} "
        "cores</text>\n",
        Coord(kLeft), Coord(kRight), Coord(cy), Coord(kRight - 4), Coord(cy - 5),
        report.capacity_cores);
  }
  return out + "</svg>\n";
}

std::string UsageByGroupSvg(const UsageReport& report) {
  const std::vector<const GroupUsage*> groups = ChartGroups(report);
  const TimeUnit unit = ReportTimeUnit(report);
  const std::string core_unit = "core-" + unit.long_name;
  constexpr double kTop = 56, kLeft = kLabelWidth, kRight = kWidth - 90;
  const double bottom = kTop + groups.size() * kRow;
  const int height = static_cast<int>(bottom) + 60;
  std::string out =
      SvgOpen("usage-by-group", std::max(height, 160),
              "Core-" + unit.long_name + " by " + report.by.Name(),
              "Core-" + unit.long_name + " allocated (cores held x wall time) and used (CPU "
              "time) per group");
  out += LegendItem(kLeft, 44, "allocated", core_unit + " allocated");
  out += LegendItem(kLeft + 180, 44, "used", core_unit + " used");
  out += OmittedNote(report, 22);
  if (groups.empty()) return out + EmptyNote(kWidth / 2.0, 110) + "</svg>\n";
  double max = 0;
  for (const GroupUsage* g : groups) {
    max = std::max({max, unit.Of(g->core_hours_allocated), unit.Of(g->core_hours_used)});
  }
  const std::vector<double> ticks = NiceTicks(max, 6);
  const double scale = (kRight - kLeft) / ticks.back();
  out += ValueAxis(ticks, kLeft, kRight, bottom + 4, kTop, core_unit);
  out += GroupLabels(groups, kTop);
  out += "<g class=\"bars\">\n";
  for (size_t i = 0; i < groups.size(); ++i) {
    const GroupUsage& g = *groups[i];
    const double y = kTop + i * kRow;
    const std::string name = XmlEscape(g.group);
    const double allocated = unit.Of(g.core_hours_allocated);
    const double used = unit.Of(g.core_hours_used);
    out += fmt::format(
        "<rect class=\"bar allocated\" data-group=\"{}\" x=\"{}\" y=\"{}\" "
        "width=\"{}\" height=\"11\"><title>{}: {} {} allocated</title>"
        "</rect>\n",
        name, Coord(kLeft), Coord(y + 4), Coord(allocated * scale), name,
        CompactNumber(allocated), core_unit);
    out += fmt::format(
        "<rect class=\"bar used\" data-group=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" "
        "height=\"11\"><title>{}: {} {} used</title></rect>\n",
        name, Coord(kLeft), Coord(y + 15), Coord(used * scale), name, CompactNumber(used),
        core_unit);
    out += fmt::format("<text class=\"value\" x=\"{}\" y=\"{}\">{}</text>\n",
                       Coord(kLeft + allocated * scale + 4), Coord(y + 13),
                       CompactNumber(allocated));
  }
  return out + "</g>\n</svg>\n";
}

std::string RequestedVsUsedSvg(const UsageReport& report) {
  const std::vector<const GroupUsage*> groups = ChartGroups(report);
  constexpr double kTop = 76;
  constexpr double kPanel = (kWidth - kLabelWidth - 20) / 2.0;  // two panels side by side
  const double bottom = kTop + groups.size() * kRow;
  const int height = static_cast<int>(bottom) + 60;
  const TimeUnit unit = ReportTimeUnit(report);
  std::string out = SvgOpen("requested-vs-used", std::max(height, 180),
                            "Requested vs used, by " + report.by.Name(),
                            "Per group: core-" + unit.long_name + " allocated vs used, and "
                            "memory GiB-" + unit.long_name +
                                " requested vs at peak RSS; the label is the share used");
  out += LegendItem(kLabelWidth, 44, "allocated", "cores allocated");
  out += LegendItem(kLabelWidth + 130, 44, "used", "cores used");
  out += LegendItem(kLabelWidth + 240, 44, "requested", "memory requested");
  out += LegendItem(kLabelWidth + 385, 44, "peak", "memory at peak");
  out += OmittedNote(report, 22);
  if (groups.empty()) return out + EmptyNote(kWidth / 2.0, 120) + "</svg>\n";
  const double cpu_x0 = kLabelWidth, cpu_x1 = kLabelWidth + kPanel - 60;
  const double mem_x0 = kLabelWidth + kPanel + 10, mem_x1 = kWidth - 70;
  out += fmt::format(
      "<text class=\"panel-title\" x=\"{}\" y=\"66\">Cores</text>"
      "<text class=\"panel-title\" x=\"{}\" y=\"66\">Memory</text>\n",
      Coord(cpu_x0), Coord(mem_x0));
  out += GroupLabels(groups, kTop);
  out += BulletPanel(
      groups, cpu_x0, cpu_x1, kTop, "core-" + unit.long_name,
      [&unit](const GroupUsage& g) { return unit.Of(g.core_hours_allocated); },
      [&unit](const GroupUsage& g) { return unit.Of(g.core_hours_used); }, "cores");
  out += BulletPanel(
      groups, mem_x0, mem_x1, kTop, "GiB-" + unit.long_name,
      [&unit](const GroupUsage& g) { return unit.Of(g.memory_gib_hours_requested); },
      [&unit](const GroupUsage& g) { return unit.Of(g.memory_gib_hours_peak); }, "memory");
  return out + "</svg>\n";
}

std::vector<std::string> MetricSvgs(const UsageReport& report) {
  // Colors that stay apart for up to ten lines; more cycle.
  static constexpr const char* kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                             "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                                             "#bcbd22", "#17becf"};
  constexpr double kLeft = 80, kRight = kWidth - 200, kTop = 50, kBottom = 290;
  const int height = 340;
  std::vector<std::string> charts;
  for (size_t first = 0; first < report.metrics.size();) {
    size_t end = first;
    while (end < report.metrics.size() && report.metrics[end].metric == report.metrics[first].metric) {
      ++end;
    }
    const std::string& name = report.metrics[first].metric;
    const bool by_step = report.metrics[first].by_step;
    double x_min = 0, x_max = 0, y_min = 0, y_max = 0;
    bool any = false;
    for (size_t i = first; i < end; ++i) {
      for (const auto& [x, y] : report.metrics[i].points) {
        if (!any) {
          x_min = x_max = x;
          y_min = y_max = y;
          any = true;
        }
        x_min = std::min(x_min, x);
        x_max = std::max(x_max, x);
        y_min = std::min(y_min, y);
        y_max = std::max(y_max, y);
      }
    }
    if (x_max == x_min) x_max = x_min + 1;
    std::vector<double> x_ticks;
    if (x_min >= 0) {  // steps and seconds start at 0: round ticks from there
      x_ticks = NiceTicks(x_max, 6);
      x_min = 0;
      x_max = x_ticks.back();
    } else {
      for (int k = 0; k <= 5; ++k) x_ticks.push_back(x_min + (x_max - x_min) * k / 5);
    }
    if (y_max == y_min) {
      y_max += 0.5;
      y_min -= 0.5;
    }
    const std::string id = "metric-" + std::to_string(charts.size() + 1);
    std::string out = SvgOpen(id.c_str(), height, "Metric " + name + " by " + report.by.Name(),
                              "The tasks' reported values of " + name + " per " +
                                  report.by.Name() + ", over " +
                                  (by_step ? "steps" : "seconds since its first value"));
    auto x = [&](double v) { return kLeft + (kRight - kLeft) * (v - x_min) / (x_max - x_min); };
    auto y = [&](double v) { return kBottom - (kBottom - kTop) * (v - y_min) / (y_max - y_min); };
    out += ValueAxes(PlotArea{kLeft, kRight, kTop, kBottom}, x_min, x_max, x_ticks, name, y_min,
                     y_max, by_step ? "step" : "seconds");
    for (size_t i = first; i < end; ++i) {
      const MetricSeries& s = report.metrics[i];
      const char* color = kPalette[(i - first) % std::size(kPalette)];
      std::string d;
      for (const auto& [px, py] : s.points) {
        d += fmt::format("{}{},{}", d.empty() ? "M" : "L", Coord(x(px)), Coord(y(py)));
      }
      out += fmt::format(
          "<path class=\"series\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\" "
          "d=\"{}\"><title>{} {}: {} points</title></path>\n",
          color, d, XmlEscape(report.by.Name()), XmlEscape(s.group), s.points.size());
      if (!s.points.empty()) {  // where it got to (a series of one point shows as this alone)
        out += fmt::format("<circle class=\"series-end\" cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{}\"/>\n",
                           Coord(x(s.points.back().first)), Coord(y(s.points.back().second)),
                           color);
      }
      const double ly = kTop + 16.0 * static_cast<double>(i - first);
      out += fmt::format(
          "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\" stroke=\"{3}\" "
          "stroke-width=\"3\"/><text class=\"legend-label\" x=\"{4}\" y=\"{5}\">{6}</text>\n",
          Coord(kRight + 15), Coord(kRight + 35), Coord(ly), color, Coord(kRight + 40),
          Coord(ly + 4), XmlEscape(Truncate(s.group, 20)));
    }
    charts.push_back(out + "</svg>\n");
    first = end;
  }
  return charts;
}

}  // namespace allot
