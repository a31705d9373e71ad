#include "cli/study_status.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

namespace allot {
namespace {

std::string ValueText(const OrderedJson& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) return fmt::format("{:.6g}", v.get<double>());
  return v.dump();
}

std::string Optional(const std::optional<double>& v) {
  return v ? fmt::format("{:.6g}", *v) : std::string("-");
}

std::string ParamsText(const StudyView& view, const TrialOutcome& t) {
  std::string out;
  for (size_t d = 0; d < view.spec.space.size() && d < t.params.size(); ++d) {
    out += (d == 0 ? "" : ", ") + view.spec.space[d].name + "=" + ValueText(t.params[d]);
  }
  return out;
}

std::string CountsText(const StudyResults& r) {
  std::string out = fmt::format("{} trials:", r.trials.size());
  bool first = true;
  for (TrialState s : kAllTrialStates) {
    const int n = r.counts.at(s);
    if (n == 0 && s != TrialState::kDone) continue;
    out += fmt::format("{} {} {}", first ? "" : ",", n, TrialStateName(s));
    first = false;
  }
  return out;
}

}  // namespace

std::string StudySummaryLine(const StudyView& view) {
  const StudyResults& r = view.results;
  std::string out = "study " + view.spec.name + ": " + CountsText(r);
  if (view.spec.objectives.size() == 1 && r.best) {
    const TrialOutcome& b = r.trials[*r.best];
    out += fmt::format("; best {} {}={:.6g} ({})", b.name, view.spec.objectives[0].name,
                       *b.objectives[0], ParamsText(view, b));
  } else if (view.spec.objectives.size() > 1) {
    out += fmt::format("; Pareto front of {} trial{}", r.pareto_front.size(),
                       r.pareto_front.size() == 1 ? "" : "s");
  }
  return out + "\n";
}

std::string StudyStatusText(const StudyView& view) {
  const StudySpec& spec = view.spec;
  const StudyResults& r = view.results;
  std::string out = fmt::format("study {}: {} sampler, seed {}, {} in parallel; objectives:",
                                spec.name, SamplerName(spec.sampler), spec.seed, spec.parallel);
  for (size_t k = 0; k < spec.objectives.size(); ++k) {
    out += fmt::format("{} {} ({})", k == 0 ? "" : ",", spec.objectives[k].name,
                       GoalName(spec.objectives[k].goal));
  }
  out += "\n" + CountsText(r) + "\n\n";
  // The table: widths from the contents.
  std::vector<std::string> header = {"TRIAL", "STATE", "ATTEMPTS"};
  for (const StudyParameter& p : spec.space) header.push_back(p.name);
  for (const StudyObjective& o : spec.objectives) header.push_back(o.name);
  std::vector<std::vector<std::string>> rows;
  for (const TrialOutcome& t : r.trials) {
    std::vector<std::string> row = {t.name, std::string(TrialStateName(t.state)),
                                    std::to_string(t.attempts)};
    for (const OrderedJson& v : t.params) row.push_back(ValueText(v));
    for (const std::optional<double>& v : t.objectives) row.push_back(Optional(v));
    rows.push_back(std::move(row));
  }
  std::vector<size_t> width(header.size());
  for (size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s;
    for (size_t c = 0; c < cells.size(); ++c) {
      s += fmt::format("{:<{}}", cells[c], width[c]) + (c + 1 == cells.size() ? "" : "  ");
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s + "\n";
  };
  out += line(header);
  for (const auto& row : rows) out += line(row);
  out += "\n";
  if (spec.objectives.size() == 1) {
    if (r.best) {
      const TrialOutcome& b = r.trials[*r.best];
      out += fmt::format("best: {}  {} = {:.6g}  ({})\n", b.name, spec.objectives[0].name,
                         *b.objectives[0], ParamsText(view, b));
    } else {
      out += "best: none yet (no trial done)\n";
    }
  } else {
    out += fmt::format("Pareto front: {} trial{}\n", r.pareto_front.size(),
                       r.pareto_front.size() == 1 ? "" : "s");
    for (size_t i : r.pareto_front) {
      const TrialOutcome& t = r.trials[i];
      std::string objectives;
      for (size_t k = 0; k < spec.objectives.size(); ++k) {
        objectives += fmt::format("{}{} = {}", k == 0 ? "" : ", ", spec.objectives[k].name,
                                  Optional(t.objectives[k]));
      }
      out += fmt::format("  {}  {}  ({})\n", t.name, objectives, ParamsText(view, t));
    }
  }
  for (const TrialOutcome& t : r.trials) {
    if (t.state == TrialState::kNoResult) {
      std::string missing;
      for (const std::string& m : t.missing) missing += (missing.empty() ? "" : ", ") + m;
      out += fmt::format("no result: {} succeeded but its result has no number for {}\n", t.name,
                         missing);
    } else if ((t.state == TrialState::kFailed || t.state == TrialState::kStopped) &&
               !t.reason.empty()) {
      out += fmt::format("{}: {}: {}\n", TrialStateName(t.state), t.name, t.reason);
    }
  }
  return out;
}

}  // namespace allot
