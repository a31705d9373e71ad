#include "core/attempt_outcome.h"

#include <optional>

#include "common/units.h"
#include "core/profile/oom_retry.h"

namespace allot {
namespace {

// Rule 2; nullopt when the task may not grow, with *what saying why.
std::optional<int64_t> GrownMemory(const TaskSpec& s, const AttemptUsage& usage,
                                   int64_t limit, int64_t cap, std::string* what) {
  *what = "killed at its memory limit of " + FormatSize(limit) + " (peak " +
          FormatSize(usage.max_rss_bytes) + ")";
  if (s.memory_max_bytes <= 0 && !s.resources.memory_auto) return std::nullopt;
  std::optional<int64_t> next = NextMemoryAfterOom(limit, usage.max_rss_bytes, cap);
  if (!next) {
    *what += s.memory_max_bytes <= 0
                 ? "; no worker has more than " + FormatSize(cap)
             : cap < s.memory_max_bytes
                 ? "; no worker has more than " + FormatSize(cap) + " (memory_max " +
                       FormatSize(s.memory_max_bytes) + ")"
                 : "; memory_max " + FormatSize(s.memory_max_bytes) + " reached";
  }
  return next;
}

}  // namespace

std::string DescribeExit(const AttemptUsage& u) {
  if (u.timed_out) return "exceeded its time limit";
  if (u.term_signal != 0) return "killed by signal " + std::to_string(u.term_signal);
  std::string out = "exit code " + std::to_string(u.exit_code);
  if (!u.stderr_tail.empty()) out += ": " + u.stderr_tail;
  return out;
}

AttemptOutcome DecideOutcome(const TaskSpec& s, const TaskRecord& rec, const AttemptUsage& usage,
                             std::string_view launch_error, int64_t allocated_memory,
                             int64_t memory_cap) {
  AttemptOutcome out;
  const bool clean = usage.exit_code == 0 && usage.term_signal == 0 && !usage.timed_out &&
                     launch_error.empty();
  if (clean && usage.output_error.empty()) {
    out.kind = OutcomeKind::kSucceed;
    return out;
  }
  std::string what = !launch_error.empty() ? std::string(launch_error)
                     : clean                ? usage.output_error
                                            : DescribeExit(usage);
  if (usage.memory_exceeded && launch_error.empty()) {
    std::optional<int64_t> next = GrownMemory(s, usage, allocated_memory, memory_cap, &what);
    if (next) {
      out.kind = OutcomeKind::kGrowMemory;
      out.memory_bytes = *next;
      out.reason = what + "; runs again with " + FormatSize(*next);
      return out;
    }
  }
  const int failures = static_cast<int>(rec.attempts - rec.requeued_after) - rec.crashes -
                       rec.memory_retries;
  // The shell could not run the command (126: not executable, 127: not found): a retry would
  // fail the same way, as it does for GNU parallel's and Slurm's users.
  const bool cannot_run = launch_error.empty() && usage.term_signal == 0 && !usage.timed_out &&
                          (usage.exit_code == 126 || usage.exit_code == 127);
  if (cannot_run) {
    out.kind = OutcomeKind::kFail;
    // The shell's own words (the stderr tail) say which; without them, say it here.
    out.reason = what + (!usage.stderr_tail.empty() ? " (not retried)"
                         : usage.exit_code == 127  ? " (command not found; not retried)"
                                                   : " (command not executable; not retried)");
    return out;
  }
  if (failures <= s.max_retries) {
    out.kind = OutcomeKind::kRetry;
    out.delay = s.retry_backoff.DelayBeforeRetry(failures);
    out.reason = what + "; retry " + std::to_string(failures) + " of " +
                 std::to_string(s.max_retries);
    if (out.delay > Duration(0)) out.reason += " in " + FormatDuration(out.delay);
    return out;
  }
  out.kind = OutcomeKind::kFail;
  out.reason = what;
  if (s.max_retries > 0) {
    out.reason += " (after " + std::to_string(rec.attempts - rec.requeued_after) + " attempts)";
  }
  return out;
}

}  // namespace allot
