// ProgressReporter: what a person watching `allot run` sees while it works. On a terminal, one
// live line redrawn in place (counts per state, rate, ETA from the forecast); otherwise plain timestamped lines
// at a slower pace, plus one line per task that fails for good. Writes to the given FILE*.
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "common/time.h"
#include "model/task_state.h"

namespace allot {

enum class ProgressMode { kAuto, kTerminal, kPlain, kNone };

struct ProgressSnapshot {
  std::array<int64_t, kTaskStateCount> counts{};
  int64_t total = 0;
  TimePoint now;
  // The forecast's time left (ProgressForecast), P50 and P90; empty: none (the ETA is then
  // extrapolated from the rate so far, shown with a "~").
  std::optional<Duration> left_p50;
  std::optional<Duration> left_p90;
};

class ProgressReporter {
 public:
  // kAuto picks kTerminal when `out` is a terminal, else kPlain.
  ProgressReporter(FILE* out, ProgressMode mode, TimePoint start);

  // Cheap to call every loop turn: redraws at most every 200 ms (terminal) or 10 s (plain).
  void Update(const ProgressSnapshot& snapshot);
  // A message on its own line (the live line is redrawn after it).
  void Message(const std::string& line);
  // Clears the live line for the final summary.
  void Finish();
  // When the next redraw is due, so the event loop wakes up for it.
  TimePoint NextDue() const { return next_; }
  bool enabled() const { return mode_ != ProgressMode::kNone; }

 private:
  std::string Line(const ProgressSnapshot& s) const;

  FILE* out_;
  ProgressMode mode_;
  TimePoint start_;
  TimePoint next_;
  bool line_shown_ = false;
  std::string last_line_;
};

// "2026-11-21 10:31:02"
std::string LocalTimestamp();

}  // namespace allot
