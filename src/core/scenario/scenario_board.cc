#include "core/scenario/scenario_board.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

namespace allot {
namespace {

// Six significant digits: what people compare at a glance ("0.21", "1.5e+06").
std::string Num(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 6);
  return ec == std::errc() ? std::string(buf, end) : std::string("?");
}

// 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, ...
std::string Ordinal(int n) {
  const int mod100 = n % 100;
  const char* suffix = "th";
  if (mod100 < 11 || mod100 > 13) {
    switch (n % 10) {
      case 1: suffix = "st"; break;
      case 2: suffix = "nd"; break;
      case 3: suffix = "rd"; break;
      default: break;
    }
  }
  return std::to_string(n) + suffix;
}

std::string Signed(int n) { return (n >= 0 ? "+" : "") + std::to_string(n); }

}  // namespace

ScenarioBoard::ScenarioBoard(ScenarioPolicySpec spec)
    : spec_(std::move(spec)),
      rungs_(spec_.kind == ScenarioPolicySpec::Kind::kAsha ? spec_.grace : 1,
             spec_.reduction_factor,
             // Under promise no rungs are used: an empty set of them.
             spec_.kind == ScenarioPolicySpec::Kind::kAsha ? spec_.max_step
                                                             : std::optional<int64_t>(0),
             spec_.maximize),
      scores_(spec_.maximize) {}

void ScenarioBoard::Observe(const std::string& scenario, const MetricPoint& point,
                            std::vector<ScenarioChange>* changes) {
  if (!std::isfinite(point.value)) return;
  auto it = scenarios_.find(scenario);
  if (it == scenarios_.end()) it = scenarios_.emplace(scenario, Scenario{}).first;
  Scenario& s = it->second;
  auto latest = s.latest.find(point.name);
  if (latest == s.latest.end()) {
    s.latest.emplace(point.name, point.value);
  } else {
    latest->second = point.value;
  }
  if (point.step && (!s.step || *point.step > *s.step)) s.step = point.step;
  if (spec_.kind == ScenarioPolicySpec::Kind::kAsha) {
    ObserveAsha(it, point, changes);
  } else {
    ObservePromise(it, point, changes);
  }
}

void ScenarioBoard::ObserveAsha(Scenarios::iterator it, const MetricPoint& point,
                                std::vector<ScenarioChange>* changes) {
  Scenario& s = it->second;
  if (s.stopped || !point.step || point.name != spec_.metric) return;
  const int reached = rungs_.RungsReached(*point.step);
  if (reached <= s.rungs_joined) return;
  const int first = s.rungs_joined;
  const int old_offset = s.offset;
  AshaRungs::Verdict v;
  int k = first;
  for (; k < reached; ++k) {
    v = rungs_.Join(k, point.value);
    s.rungs_joined = k + 1;
    s.rung_value = point.value;
    if (v.promoted) {
      s.offset = k + 1;
    } else if (spec_.action == ScenarioPolicySpec::Action::kStop) {
      s.stopped = true;
      break;
    } else {
      s.offset = -1;
    }
  }
  if (!s.stopped && s.offset == old_offset) return;
  const int last = s.rungs_joined - 1;
  std::string reason = "asha: ";
  if (last > first) {
    reason += "step " + std::to_string(*point.step) + " passed rungs " + std::to_string(first) +
              " to " + std::to_string(last) + " at once; ";
  }
  reason += "rung " + std::to_string(last) + " (step " + std::to_string(rungs_.steps()[last]) +
            "): " + spec_.metric + " " + Num(point.value) + " is " + Ordinal(v.rank) + " of " +
            std::to_string(v.size) + " at this rung, " + (v.promoted ? "" : "not ") +
            "within the best " + std::to_string(v.keep) + " (eta " + Num(rungs_.eta()) + "): ";
  if (v.promoted) {
    reason += "promoted, priority " + Signed(s.offset);
  } else if (s.stopped) {
    reason += "stopped";
  } else {
    reason += "deprioritized, priority " + Signed(s.offset);
  }
  s.note = reason;
  if (changes != nullptr) changes->push_back({it->first, s.offset, s.stopped, std::move(reason)});
}

std::optional<double> ScenarioBoard::PromiseScore(const Scenario& s) const {
  double sum = 0;
  for (const auto& [metric, weight] : spec_.score) {
    auto v = s.latest.find(metric);
    if (v == s.latest.end()) return std::nullopt;
    sum += v->second * weight;
  }
  if (!std::isfinite(sum)) return std::nullopt;
  return sum;
}

void ScenarioBoard::ObservePromise(Scenarios::iterator it, const MetricPoint& point,
                                   std::vector<ScenarioChange>* changes) {
  Scenario& s = it->second;
  if (spec_.score.find(point.name) == spec_.score.end()) return;
  const std::optional<double> score = PromiseScore(s);
  if (score == s.score) return;
  auto bounds = [this]() -> std::optional<std::pair<double, double>> {
    if (scores_.empty()) return std::nullopt;
    return std::make_pair(scores_.worst(), scores_.best());
  };
  const std::optional<std::pair<double, double>> before = bounds();
  if (s.score) scores_.Erase(*s.score);
  s.score = score;
  if (score) scores_.Insert(*score);
  const bool bounds_moved = bounds() != before;
  if (!bounds_moved) {
    UpdatePromiseOffset(it, changes);
    return;
  }
  for (auto other = scenarios_.begin(); other != scenarios_.end(); ++other) {
    UpdatePromiseOffset(other, changes);
  }
}

void ScenarioBoard::UpdatePromiseOffset(Scenarios::iterator it,
                                        std::vector<ScenarioChange>* changes) {
  Scenario& s = it->second;
  const int offset = s.score ? scores_.Offset(*s.score, spec_.priority_range) : 0;
  if (offset == s.offset) return;
  s.offset = offset;
  s.note = PromiseReason(s);
  if (changes != nullptr) changes->push_back({it->first, s.offset, false, s.note});
}

std::string ScenarioBoard::PromiseReason(const Scenario& s) const {
  if (!s.score) {
    return "promise: no score (a score's metric overflowed): priority " + Signed(s.offset);
  }
  std::string reason = "promise: score " + Num(*s.score) + " (";
  bool first = true;
  for (const auto& [metric, weight] : spec_.score) {
    if (!first) reason += " + ";
    first = false;
    reason += metric + " " + Num(s.latest.find(metric)->second) + " \u00d7 " + Num(weight);
  }
  reason += "), " + Ordinal(scores_.Rank(*s.score)) + " of " + std::to_string(scores_.size()) +
            " (scores " + Num(scores_.worst()) + " worst to " + Num(scores_.best()) +
            " best): priority " + Signed(s.offset) + " of 0 to " +
            std::to_string(spec_.priority_range);
  return reason;
}

int ScenarioBoard::PriorityOffset(const std::string& scenario) const {
  auto it = scenarios_.find(scenario);
  return it == scenarios_.end() ? 0 : it->second.offset;
}

bool ScenarioBoard::Stopped(const std::string& scenario) const {
  auto it = scenarios_.find(scenario);
  return it != scenarios_.end() && it->second.stopped;
}

ScenarioStanding ScenarioBoard::Standing(const std::string& name, const Scenario& s) const {
  ScenarioStanding st;
  st.scenario = name;
  if (spec_.kind == ScenarioPolicySpec::Kind::kAsha) {
    st.rung = s.rungs_joined - 1;
    if (s.rungs_joined > 0) st.score = s.rung_value;
  } else {
    st.score = s.score;
  }
  st.priority_offset = s.offset;
  st.stopped = s.stopped;
  st.latest.insert(s.latest.begin(), s.latest.end());
  st.step = s.step;
  st.note = s.note;
  return st;
}

std::vector<ScenarioStanding> ScenarioBoard::Ranking() const {
  std::vector<ScenarioStanding> out;
  out.reserve(scenarios_.size());
  for (const auto& [name, s] : scenarios_) out.push_back(Standing(name, s));
  const bool maximize = spec_.maximize;
  auto group = [](const ScenarioStanding& s) { return !s.score ? 2 : s.stopped ? 1 : 0; };
  // Stable over name order: equal keys stay by name.
  std::stable_sort(out.begin(), out.end(),
                   [&](const ScenarioStanding& a, const ScenarioStanding& b) {
                     if (group(a) != group(b)) return group(a) < group(b);
                     if (!a.score) return false;  // both without: by name
                     if (a.rung != b.rung) return a.rung > b.rung;
                     return maximize ? *a.score > *b.score : *a.score < *b.score;
                   });
  return out;
}

}  // namespace allot
