#include "server/progress_reporter.h"

#include <unistd.h>

#include <ctime>

#include <fmt/format.h>

#include "common/units.h"

namespace allot {
namespace {

constexpr Duration kTerminalEvery = std::chrono::milliseconds(200);
constexpr Duration kPlainEvery = std::chrono::seconds(10);

int64_t Count(const ProgressSnapshot& s, TaskState st) { return s.counts[static_cast<int>(st)]; }

}  // namespace

std::string LocalTimestamp() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

ProgressReporter::ProgressReporter(FILE* out, ProgressMode mode, TimePoint start)
    : out_(out), mode_(mode), start_(start), next_(start) {
  if (mode_ == ProgressMode::kAuto) {
    mode_ = isatty(fileno(out)) ? ProgressMode::kTerminal : ProgressMode::kPlain;
  }
  if (mode_ == ProgressMode::kPlain) next_ = start + kPlainEvery;
}

std::string ProgressReporter::Line(const ProgressSnapshot& s) const {
  const int64_t done = Count(s, TaskState::kSucceeded) + Count(s, TaskState::kFailed) +
                       Count(s, TaskState::kSkipped) + Count(s, TaskState::kCanceled);
  const double elapsed = ToSeconds(s.now - start_);
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
  std::string eta = "?";
  if (s.left_p50) {
    eta = FormatDuration(*s.left_p50);
    if (s.left_p90 && *s.left_p90 > *s.left_p50) {
      eta += fmt::format(" (P90 {})", FormatDuration(*s.left_p90));
    }
  } else if (rate > 0 && done > 0) {
    eta = "~" + FormatDuration(FromSeconds((s.total - done) / rate));
  }
  std::string line = fmt::format("{}/{} done | {} running | {} ready | {} waiting | {} succeeded",
                                 done, s.total, Count(s, TaskState::kRunning),
                                 Count(s, TaskState::kReady), Count(s, TaskState::kWaiting),
                                 Count(s, TaskState::kSucceeded));
  if (int64_t f = Count(s, TaskState::kFailed)) line += fmt::format(" | {} failed", f);
  if (int64_t k = Count(s, TaskState::kSkipped)) line += fmt::format(" | {} skipped", k);
  line += fmt::format(" | {:.1f}/s | {} elapsed | ETA {}", rate,
                      FormatDuration(s.now - start_), eta);
  return line;
}

void ProgressReporter::Update(const ProgressSnapshot& s) {
  if (mode_ == ProgressMode::kNone || s.now < next_) return;
  if (mode_ == ProgressMode::kTerminal) {
    last_line_ = Line(s);
    fmt::print(out_, "\r\033[K{}", last_line_);
    std::fflush(out_);
    line_shown_ = true;
    next_ = s.now + kTerminalEvery;
  } else {
    fmt::print(out_, "{} {}\n", LocalTimestamp(), Line(s));
    std::fflush(out_);
    next_ = s.now + kPlainEvery;
  }
}

void ProgressReporter::Message(const std::string& line) {
  if (mode_ == ProgressMode::kNone) return;
  if (mode_ == ProgressMode::kTerminal) {
    fmt::print(out_, "\r\033[K{}\n", line);
    if (line_shown_) fmt::print(out_, "{}", last_line_);
  } else {
    fmt::print(out_, "{} {}\n", LocalTimestamp(), line);
  }
  std::fflush(out_);
}

void ProgressReporter::Finish() {
  if (mode_ == ProgressMode::kTerminal && line_shown_) {
    fmt::print(out_, "\r\033[K");
    std::fflush(out_);
  }
}

}  // namespace allot
