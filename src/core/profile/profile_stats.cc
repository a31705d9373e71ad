#include "core/profile/profile_stats.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace allot {
namespace {

Duration Micros(double us) { return Duration(static_cast<int64_t>(std::llround(us))); }
int64_t Bytes(double b) { return static_cast<int64_t>(std::llround(b)); }

}  // namespace

ProfileStats::ProfileStats(std::string profile, size_t window)
    : profile_(std::move(profile)), walls_us_(window), peaks_(window), cores_used_(window) {}

void ProfileStats::Record(const AttemptSample& s) {
  ++attempts_;
  if (s.oom_killed) ++oom_killed_;
  if (s.timed_out) ++timed_out_;

  double wall_s = std::max(0.0, ToSeconds(s.wall));
  double cpu_s = std::max(0.0, ToSeconds(s.cpu));
  double allocated = static_cast<double>(std::max(0, s.cores_allocated)) * wall_s;
  waste_.core_seconds_allocated += allocated;
  waste_.core_seconds_used += cpu_s;
  waste_.core_seconds_wasted += std::max(0.0, allocated - cpu_s);
  if (s.memory_requested_bytes > 0 && s.peak_rss_bytes > 0) {
    double requested = static_cast<double>(s.memory_requested_bytes);
    double peak = static_cast<double>(s.peak_rss_bytes);
    waste_.memory_byte_seconds_requested += requested * wall_s;
    waste_.memory_byte_seconds_used += peak * wall_s;
    waste_.memory_byte_seconds_wasted += std::max(0.0, requested - peak) * wall_s;
  }

  if (!s.succeeded) return;
  ++succeeded_;
  walls_us_.Add(static_cast<double>(std::max<int64_t>(0, s.wall.count())));
  if (s.peak_rss_bytes > 0) peaks_.Add(static_cast<double>(s.peak_rss_bytes));
  if (s.wall.count() > 0) cores_used_.Add(cpu_s / wall_s);
}

ProfileSummary ProfileStats::Summarize() const {
  ProfileSummary out;
  out.profile = profile_;
  out.attempts = attempts_;
  out.succeeded = succeeded_;
  out.failed = attempts_ - succeeded_;
  out.oom_killed = oom_killed_;
  out.timed_out = timed_out_;
  out.window_successes = window_successes();
  if (!walls_us_.empty()) {
    out.wall_p50 = Micros(walls_us_.Quantile(0.50));
    out.wall_p90 = Micros(walls_us_.Quantile(0.90));
    out.wall_p99 = Micros(walls_us_.Quantile(0.99));
  }
  if (!peaks_.empty()) {
    out.peak_rss_p95 = Bytes(peaks_.Quantile(0.95));
    out.peak_rss_max = Bytes(peaks_.Max());
  }
  if (!cores_used_.empty()) {
    out.cores_used_mean = cores_used_.Mean();
    out.cores_used_max = cores_used_.Max();
  }
  out.waste = waste_;
  return out;
}

}  // namespace allot
