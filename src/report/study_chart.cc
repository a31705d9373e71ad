#include "report/study_chart.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "report/svg_chart.h"

namespace allot {
namespace {

constexpr int kWidth = 1000;
constexpr int kHeight = 380;
constexpr double kLeft = 80, kRight = kWidth - 30, kTop = 50, kBottom = 320;

std::string ValueText(const OrderedJson& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) return fmt::format("{:.6g}", v.get<double>());
  return v.dump();
}

std::string Describe(const StudyView& view, const TrialOutcome& t) {
  std::string s = t.name + ":";
  for (size_t k = 0; k < view.spec.objectives.size(); ++k) {
    s += fmt::format(" {}={}", view.spec.objectives[k].name,
                     t.objectives[k] ? fmt::format("{:.6g}", *t.objectives[k]) : "-");
  }
  s += " (";
  for (size_t d = 0; d < view.spec.space.size() && d < t.params.size(); ++d) {
    s += (d == 0 ? "" : ", ") + view.spec.space[d].name + "=" + ValueText(t.params[d]);
  }
  return s + ")";
}

struct Range {
  double lo = 0, hi = 1;
  void Widen() {
    if (hi <= lo) {
      lo -= 0.5;
      hi += 0.5;
    }
    const double pad = (hi - lo) * 0.05;
    lo = lo >= 0 && lo - pad < 0 ? 0 : lo - pad;  // no negative axis for values that cannot be
    hi += pad;
  }
};

Range RangeOf(const std::vector<double>& values) {
  Range r;
  if (!values.empty()) {
    r.lo = *std::min_element(values.begin(), values.end());
    r.hi = *std::max_element(values.begin(), values.end());
  }
  r.Widen();
  return r;
}

std::string Axes(const Range& xr, const Range& yr, const std::string& x_label,
                 const std::string& y_label, bool integer_x) {
  std::vector<double> ticks;
  for (int k = 0; k <= 5; ++k) {
    const double v = xr.lo + (xr.hi - xr.lo) * k / 5;
    ticks.push_back(integer_x ? std::round(v) : v);
  }
  return ValueAxes(PlotArea{kLeft, kRight, kTop, kBottom}, xr.lo, xr.hi, ticks, x_label, yr.lo,
                   yr.hi, y_label);
}

std::string SingleObjective(const StudyView& view) {
  const StudyObjective& o = view.spec.objectives[0];
  const std::vector<TrialOutcome>& trials = view.results.trials;
  std::vector<double> values;
  for (const TrialOutcome& t : trials) {
    if (t.state == TrialState::kDone) values.push_back(*t.objectives[0]);
  }
  Range xr{0, std::max<double>(1, static_cast<double>(trials.size()) - 1)};
  Range yr = RangeOf(values);
  auto x = [&](double v) { return kLeft + (kRight - kLeft) * (v - xr.lo) / (xr.hi - xr.lo); };
  auto y = [&](double v) { return kBottom - (kBottom - kTop) * (v - yr.lo) / (yr.hi - yr.lo); };
  std::string out = Axes(xr, yr, "trial", o.name, true);
  const std::vector<std::optional<double>> best = BestSoFar(view.spec, view.results);
  std::string d;
  for (size_t i = 0; i < best.size(); ++i) {
    if (!best[i]) continue;
    d += d.empty() ? fmt::format("M{},{}", Coord(x(i)), Coord(y(*best[i])))
                   : fmt::format("H{}V{}", Coord(x(i)), Coord(y(*best[i])));
  }
  if (!d.empty()) {
    out += fmt::format("<path class=\"best-so-far\" fill=\"none\" stroke=\"#1f5fa8\" "
                       "stroke-width=\"2\" d=\"{}\"><title>best {} so far</title></path>\n",
                       d, XmlEscape(o.name));
  }
  for (size_t i = 0; i < trials.size(); ++i) {
    const TrialOutcome& t = trials[i];
    if (t.state != TrialState::kDone) continue;
    const bool is_best = view.results.best == i;
    out += fmt::format(
        "<circle class=\"trial{}\" cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\"><title>{}</title>"
        "</circle>\n",
        is_best ? " best" : "", Coord(x(i)), Coord(y(*t.objectives[0])), is_best ? 6 : 3.5,
        is_best ? "#d2691e" : "#7f9cc4", XmlEscape(Describe(view, t)));
  }
  if (values.empty()) {
    out += fmt::format("<text class=\"empty\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">no trial "
                       "done yet</text>\n",
                       Coord((kLeft + kRight) / 2), Coord((kTop + kBottom) / 2));
  }
  return out;
}

std::string SeveralObjectives(const StudyView& view) {
  const std::vector<StudyObjective>& objectives = view.spec.objectives;
  const std::vector<TrialOutcome>& trials = view.results.trials;
  std::vector<double> xs, ys;
  for (const TrialOutcome& t : trials) {
    if (t.state != TrialState::kDone) continue;
    xs.push_back(*t.objectives[0]);
    ys.push_back(*t.objectives[1]);
  }
  Range xr = RangeOf(xs), yr = RangeOf(ys);
  auto x = [&](double v) { return kLeft + (kRight - kLeft) * (v - xr.lo) / (xr.hi - xr.lo); };
  auto y = [&](double v) { return kBottom - (kBottom - kTop) * (v - yr.lo) / (yr.hi - yr.lo); };
  auto label = [](const StudyObjective& o) {
    return o.name + " (" + std::string(o.goal == Goal::kMinimize ? "lower" : "higher") +
           " is better)";
  };
  std::string out = Axes(xr, yr, label(objectives[0]), label(objectives[1]), false);
  std::vector<bool> on_front(trials.size(), false);
  for (size_t i : view.results.pareto_front) on_front[i] = true;
  for (size_t i = 0; i < trials.size(); ++i) {
    const TrialOutcome& t = trials[i];
    if (t.state != TrialState::kDone || on_front[i]) continue;
    out += fmt::format("<circle class=\"trial\" cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"#a9bfdc\">"
                       "<title>{}</title></circle>\n",
                       Coord(x(*t.objectives[0])), Coord(y(*t.objectives[1])),
                       XmlEscape(Describe(view, t)));
  }
  std::string d;
  for (size_t i : view.results.pareto_front) {
    const TrialOutcome& t = trials[i];
    d += fmt::format("{}{},{}", d.empty() ? "M" : "L", Coord(x(*t.objectives[0])),
                     Coord(y(*t.objectives[1])));
  }
  if (!d.empty() && objectives.size() == 2) {
    out += fmt::format("<path class=\"front\" fill=\"none\" stroke=\"#d2691e\" "
                       "stroke-width=\"1.5\" stroke-dasharray=\"5 3\" d=\"{}\"/>\n", d);
  }
  for (size_t i : view.results.pareto_front) {
    const TrialOutcome& t = trials[i];
    out += fmt::format("<circle class=\"trial front\" cx=\"{}\" cy=\"{}\" r=\"5.5\" "
                       "fill=\"#d2691e\"><title>Pareto front: {}</title></circle>\n",
                       Coord(x(*t.objectives[0])), Coord(y(*t.objectives[1])),
                       XmlEscape(Describe(view, t)));
  }
  if (xs.empty()) {
    out += fmt::format("<text class=\"empty\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">no trial "
                       "done yet</text>\n",
                       Coord((kLeft + kRight) / 2), Coord((kTop + kBottom) / 2));
  }
  return out;
}

}  // namespace

std::string StudySvg(const StudyView& view) {
  const std::vector<StudyObjective>& objectives = view.spec.objectives;
  const bool several = objectives.size() > 1;
  const std::string title =
      several ? fmt::format("Study {}: {} vs {}, Pareto front highlighted", view.spec.name,
                            objectives[0].name, objectives[1].name)
              : fmt::format("Study {}: {} per trial and best so far ({})", view.spec.name,
                            objectives[0].name, GoalName(objectives[0].goal));
  const std::string desc =
      several ? "Each done trial's first two objectives; the non-dominated trials (over all "
                "objectives) are the front"
              : "Each done trial's value by trial index, and the running best";
  std::string out = fmt::format(
      "<svg id=\"study\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {1} "
      "{2}\" width=\"{1}\" height=\"{2}\" role=\"img\" aria-labelledby=\"study-title "
      "study-desc\">\n<title id=\"study-title\">{0}</title>\n<desc id=\"study-desc\">{3}</desc>\n"
      "<text class=\"chart-title\" x=\"10\" y=\"22\">{0}</text>\n",
      XmlEscape(title), kWidth, kHeight, XmlEscape(desc));
  out += several ? SeveralObjectives(view) : SingleObjective(view);
  return out + "</svg>\n";
}

std::string StudySectionHtml(const StudyView& view) {
  const StudyResults& r = view.results;
  std::string counts;
  for (TrialState s : kAllTrialStates) {
    if (r.counts.at(s) == 0) continue;
    counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", r.counts.at(s), TrialStateName(s));
  }
  std::string out = fmt::format(
      "<section id=\"study-section\">\n<h2>Study {}</h2>\n<p class=\"meta\">{} trials ({} "
      "sampler, seed {}): {}.</p>\n<figure>\n{}</figure>\n",
      XmlEscape(view.spec.name), r.trials.size(), SamplerName(view.spec.sampler), view.spec.seed,
      XmlEscape(counts), StudySvg(view));
  std::vector<size_t> rows = r.pareto_front;
  if (view.spec.objectives.size() == 1 && r.best) rows = {*r.best};
  if (!rows.empty()) {
    out += "<table id=\"study-best\">\n<thead><tr><th>trial</th>";
    for (const StudyObjective& o : view.spec.objectives) {
      out += "<th>" + XmlEscape(o.name) + "</th>";
    }
    for (const StudyParameter& p : view.spec.space) out += "<th>" + XmlEscape(p.name) + "</th>";
    out += "</tr></thead>\n<tbody>\n";
    for (size_t i : rows) {
      const TrialOutcome& t = r.trials[i];
      out += "<tr><td>" + XmlEscape(t.name) + "</td>";
      for (const std::optional<double>& v : t.objectives) {
        out += "<td>" + (v ? fmt::format("{:.6g}", *v) : std::string("-")) + "</td>";
      }
      for (const OrderedJson& v : t.params) out += "<td>" + XmlEscape(ValueText(v)) + "</td>";
      out += "</tr>\n";
    }
    out += "</tbody>\n</table>\n";
  }
  return out + "</section>\n";
}

}  // namespace allot
