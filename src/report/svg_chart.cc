#include "report/svg_chart.h"

#include <fmt/format.h>

#include <cmath>
#include <ctime>

namespace allot {

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::vector<double> NiceTicks(double max, int target) {
  if (!(max > 0) || !std::isfinite(max)) return {0, 1};
  const double raw = max / target;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude * 10;
  for (double m : {1.0, 2.0, 5.0}) {
    if (magnitude * m >= raw) {
      step = magnitude * m;
      break;
    }
  }
  std::vector<double> ticks;
  for (int i = 0;; ++i) {
    ticks.push_back(step * i);
    if (step * i >= max * (1 - 1e-9)) break;
  }
  return ticks;
}

int64_t LocalUtcOffsetUs(int64_t unix_us) {
  std::time_t t = static_cast<std::time_t>(unix_us / 1'000'000);
  std::tm tm{};
  localtime_r(&t, &tm);
  return static_cast<int64_t>(tm.tm_gmtoff) * 1'000'000;
}

std::string LocalZoneName(int64_t unix_us) {
  std::time_t t = static_cast<std::time_t>(unix_us / 1'000'000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[16] = {};
  std::strftime(buf, sizeof buf, "%Z", &tm);
  return buf[0] != '\0' ? buf : "local time";
}

std::vector<int64_t> TimeTicks(int64_t first_us, int64_t last_us, int target) {
  constexpr int64_t kS = 1'000'000;
  constexpr int64_t kSteps[] = {1 * kS,     2 * kS,     5 * kS,     10 * kS,     15 * kS,
                                30 * kS,    60 * kS,    120 * kS,   300 * kS,    600 * kS,
                                900 * kS,   1800 * kS,  3600 * kS,  7200 * kS,   10800 * kS,
                                21600 * kS, 43200 * kS, 86400 * kS, 172800 * kS, 604800 * kS};
  std::vector<int64_t> ticks;
  if (last_us <= first_us) return ticks;
  int64_t step = kSteps[std::size(kSteps) - 1];
  for (int64_t s : kSteps) {
    if ((last_us - first_us) / s <= target) {
      step = s;
      break;
    }
  }
  // Round in local time (a day step falls on local midnights), with the zone's offset at the
  // start of the span.
  const int64_t offset = LocalUtcOffsetUs(first_us);
  for (int64_t t = (first_us + offset + step - 1) / step * step - offset; t <= last_us;
       t += step) {
    ticks.push_back(t);
  }
  return ticks;
}

std::string TimeTickLabel(int64_t unix_us, int64_t span_us) {
  std::time_t t = static_cast<std::time_t>(unix_us / 1'000'000);
  std::tm tm{};
  localtime_r(&t, &tm);
  if (span_us < 600LL * 1'000'000) {
    return fmt::format("{:02}:{:02}:{:02}", tm.tm_hour, tm.tm_min, tm.tm_sec);
  }
  if (span_us < 2 * 86400LL * 1'000'000) return fmt::format("{:02}:{:02}", tm.tm_hour, tm.tm_min);
  return fmt::format("{:02}-{:02} {:02}:{:02}", tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
}

std::string CompactNumber(double value) {
  if (value == 0) return "0";
  const double a = std::fabs(value);
  if (a >= 1000) {
    std::string digits = fmt::format("{:.0f}", a);
    std::string grouped;
    for (size_t i = 0; i < digits.size(); ++i) {
      if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
      grouped += digits[i];
    }
    return (value < 0 ? "-" : "") + grouped;
  }
  if (a >= 100) return fmt::format("{:.0f}", value);
  if (a >= 1) {
    std::string s = fmt::format("{:.2f}", value);
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    return s;
  }
  return fmt::format("{:.2g}", value);
}

std::string Coord(double value) {
  std::string s = fmt::format("{:.2f}", value);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

std::string ValueAxes(const PlotArea& a, double x_lo, double x_hi,
                      const std::vector<double>& x_ticks, std::string_view x_label, double y_lo,
                      double y_hi, std::string_view y_label) {
  std::string out = "<g class=\"axis y\">\n";
  for (int k = 0; k <= 4; ++k) {
    const double v = y_lo + (y_hi - y_lo) * k / 4;
    const double y = a.Y(v, y_lo, y_hi);
    out += fmt::format(
        "<line class=\"grid\" x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\"/>"
        "<text x=\"{3}\" y=\"{4}\" text-anchor=\"end\">{5}</text>\n",
        Coord(a.left), Coord(a.right), Coord(y), Coord(a.left - 6), Coord(y + 4),
        CompactNumber(v));
  }
  out += fmt::format(
      "<text class=\"axis-label\" transform=\"translate(18 {}) rotate(-90)\" "
      "text-anchor=\"middle\">{}</text>\n</g>\n<g class=\"axis x\">\n",
      Coord((a.top + a.bottom) / 2), XmlEscape(y_label));
  for (double v : x_ticks) {
    out += fmt::format(
        "<line class=\"tick\" x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\"/>"
        "<text x=\"{0}\" y=\"{3}\" text-anchor=\"middle\">{4}</text>\n",
        Coord(a.X(v, x_lo, x_hi)), Coord(a.bottom), Coord(a.bottom + 5), Coord(a.bottom + 20),
        CompactNumber(v));
  }
  out += fmt::format(
      "<line class=\"domain\" x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\"/>"
      "<text class=\"axis-label\" x=\"{3}\" y=\"{4}\" text-anchor=\"middle\">{5}</text>\n"
      "</g>\n",
      Coord(a.left), Coord(a.right), Coord(a.bottom), Coord((a.left + a.right) / 2),
      Coord(a.bottom + 40), XmlEscape(x_label));
  return out;
}

}  // namespace allot
