#include "cli/allocation_end.h"

#include <fmt/format.h>

#include <optional>

#include "common/clock.h"
#include "common/end_time.h"
#include "common/units.h"
#include "exec/slurm_job_end.h"

namespace allot {

Result<AllocationEnd> ResolveAllocationEnd(const std::string& end_time,
                                           const std::string& end_margin) {
  AllocationEnd out;
  std::string end_text = end_time;
  out.from = "--end-time";
  if (end_text.empty()) {
    if (std::optional<std::string> slurm = CurrentSlurmJobEnd()) {
      end_text = *slurm;
      out.from = "the Slurm job's end";
    }
  }
  auto margin = ParseDuration(end_margin);
  if (!margin.ok()) return margin.status().WithPrefix("--end-margin " + end_margin);
  out.margin = *margin;
  if (end_text.empty()) return out;
  const int64_t now_us = SystemClock::Default()->WallMicros();
  auto end = ParseEndTime(end_text, now_us);
  if (!end.ok()) return Status::InvalidArgument(out.from + " " + end.status().message());
  if (*end - out.margin.count() <= now_us) {
    return Status::InvalidArgument(fmt::format(
        "{} {}: the allocation ends {} from now, within --end-margin {}: nothing could "
        "start (a later end, or a smaller --end-margin)",
        out.from, end_text,
        *end > now_us ? FormatDuration(Duration(*end - now_us)) : std::string("0s"),
        FormatDuration(out.margin)));
  }
  out.end_wall_us = *end;
  return out;
}

}  // namespace allot
