// Small building blocks of the report's inline SVG charts: escaping, axis ticks and number
// labels. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace allot {

// Text safe inside an XML element or a double-quoted attribute.
std::string XmlEscape(std::string_view text);

// Ticks 0, step, 2 step, ... up to the first multiple of a 1/2/5 x 10^k step at or above
// `max`, about `target` of them. {0, 1} when max <= 0. REQUIRES: target >= 1.
std::vector<double> NiceTicks(double max, int target);

// Tick times (Unix microseconds) at round local-time boundaries (1 s .. 1 week steps; the local
// zone's offset at first_us) inside [first_us, last_us], about `target` of them.
std::vector<int64_t> TimeTicks(int64_t first_us, int64_t last_us, int target);
// A tick's label in local time, as the CLI prints times: "HH:MM:SS" for spans under 10
// minutes, "HH:MM" under 2 days, else "MM-DD HH:MM".
std::string TimeTickLabel(int64_t unix_us, int64_t span_us);
// The local zone's offset from UTC at `unix_us` (CET: +3600 s), and its abbreviation ("CET").
int64_t LocalUtcOffsetUs(int64_t unix_us);
std::string LocalZoneName(int64_t unix_us);

// A compact number for labels: "0", "0.0042", "12.5", "1,234".
std::string CompactNumber(double value);

// "12.345" with three decimals: coordinates in SVG path data.
std::string Coord(double value);

// Where a chart plots, in SVG user units.
struct PlotArea {
  double left = 0, right = 0, top = 0, bottom = 0;
  // Where v of [lo, hi] is across (X) and up (Y).
  double X(double v, double lo, double hi) const {
    return left + (right - left) * (v - lo) / (hi - lo);
  }
  double Y(double v, double lo, double hi) const {
    return bottom - (bottom - top) * (v - lo) / (hi - lo);
  }
};

// A value chart's two axes: on the left, five grid lines from y_lo to y_hi with their numbers
// and `y_label` turned beside them; below, a tick with its number at each of `x_ticks` (inside
// [x_lo, x_hi]) and `x_label`. Labels are escaped. REQUIRES: x_lo < x_hi, y_lo < y_hi.
std::string ValueAxes(const PlotArea& area, double x_lo, double x_hi,
                      const std::vector<double>& x_ticks, std::string_view x_label, double y_lo,
                      double y_hi, std::string_view y_label);

}  // namespace allot
