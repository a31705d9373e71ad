#include "server/failure_injection.h"

#include <cstdlib>
#include <fmt/format.h>

#include "common/units.h"

namespace allot {
namespace {

bool ParseNumber(std::string_view text, double* out) {
  std::string s(text);
  char* end = nullptr;
  *out = std::strtod(s.c_str(), &end);
  return !s.empty() && end == s.c_str() + s.size() && *out >= 0 && *out < 1e9;
}

}  // namespace

Result<FailureInjection> ParseFailureInjection(std::string_view spec) {
  FailureInjection f;
  auto bad = [&](std::string_view part, const std::string& what) {
    return Status::InvalidArgument("--inject-failures '" + std::string(spec) + "': '" +
                                   std::string(part) + "': " + what);
  };
  if (spec.empty()) {
    return Status::InvalidArgument(
        "--inject-failures: empty; expected KEY=VALUE,... with tasks=RATE, workers=RATE, "
        "corrupt=P, commit-delay=P:DURATION, seed=N");
  }
  size_t start = 0;
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    std::string_view part = spec.substr(start, comma == std::string_view::npos ? spec.npos
                                                                                : comma - start);
    start = comma == std::string_view::npos ? spec.size() + 1 : comma + 1;
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) return bad(part, "expected KEY=VALUE");
    std::string_view key = part.substr(0, eq), value = part.substr(eq + 1);
    if (key == "tasks" || key == "workers") {
      size_t slash = value.find('/');
      double n = 0;
      if (slash == std::string_view::npos || !ParseNumber(value.substr(0, slash), &n)) {
        return bad(part, "expected a rate like 2/min, 0.5/s or 3/h");
      }
      std::string_view unit = value.substr(slash + 1);
      const double per = unit == "s" ? 1 : unit == "min" ? 60 : unit == "h" ? 3600 : 0;
      if (per == 0) return bad(part, "the rate's unit must be s, min or h");
      (key == "tasks" ? f.task_kills_per_s : f.worker_kills_per_s) = n / per;
    } else if (key == "corrupt") {
      if (!ParseNumber(value, &f.corrupt_probability) || f.corrupt_probability > 1) {
        return bad(part, "expected a probability from 0 to 1");
      }
    } else if (key == "commit-delay") {
      size_t colon = value.find(':');
      Result<Duration> d = colon == std::string_view::npos
                               ? Result<Duration>(Status::InvalidArgument(""))
                               : ParseDuration(std::string(value.substr(colon + 1)));
      if (colon == std::string_view::npos ||
          !ParseNumber(value.substr(0, colon), &f.commit_delay_probability) ||
          f.commit_delay_probability > 1 || !d.ok() || *d > std::chrono::minutes(10)) {
        return bad(part, "expected PROBABILITY:DURATION, like 0.05:300ms (at most 10min)");
      }
      f.commit_delay = *d;
    } else if (key == "seed") {
      double n = 0;
      if (!ParseNumber(value, &n) || n != static_cast<double>(static_cast<uint64_t>(n))) {
        return bad(part, "expected a non-negative integer");
      }
      f.seed = static_cast<uint64_t>(n);
    } else {
      return bad(part, "unknown; expected tasks, workers, corrupt, commit-delay or seed");
    }
  }
  return f;
}

std::string DescribeFailureInjection(const FailureInjection& f) {
  std::string out;
  auto add = [&](const std::string& part) { out += (out.empty() ? "" : ", ") + part; };
  if (f.task_kills_per_s > 0) add(fmt::format("tasks killed {:.3g}/min", f.task_kills_per_s * 60));
  if (f.worker_kills_per_s > 0) {
    add(fmt::format("the worker killed {:.3g}/min", f.worker_kills_per_s * 60));
  }
  if (f.corrupt_probability > 0) {
    add(fmt::format("checkpoints corrupted with probability {:.3g}", f.corrupt_probability));
  }
  if (f.commit_delay_probability > 0) {
    add(fmt::format("journal commits delayed {} with probability {:.3g}",
                    FormatDuration(f.commit_delay), f.commit_delay_probability));
  }
  add(fmt::format("seed {}", f.seed));
  return out;
}

}  // namespace allot
