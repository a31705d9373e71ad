// The honest test of issue 4: a synthetic campaign is run to the end by a discrete-event
// "reality" (written here, independently of ListScheduleSimulator, with the same greedy
// rule), then forecast from what was observed when 25% of its tasks had ended, and the
// forecast is compared with what happened.
//
// Campaign: 140 trials of a simulate -> reconstruct -> analyse chain (420 tasks) with
// lognormal durations per profile, on 2 workers of 4 cores.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "common/rng.h"
#include "core/forecast/forecaster.h"
#include "core/profile/profile_store.h"

namespace allot {
namespace {

struct Profile {
  const char* name;
  int cores;
  double median_s;
  double sigma;
};

constexpr Profile kProfiles[] = {
    {"simulate", 1, 600, 0.4},
    {"reconstruct", 2, 300, 0.3},
    {"analyse", 1, 120, 0.5},
};
constexpr int kTrials = 140;
const std::vector<int> kWorkers = {4, 4};

struct RealTask {
  int profile;
  int cores;
  std::vector<int> deps;
  int64_t duration_us;
  // Filled by Reality.
  int64_t start_us = -1;
  int64_t end_us = -1;
  int worker = -1;
};

double StandardNormal(Rng& rng) {         // Box-Muller
  double u1 = 1.0 - rng.UniformDouble();  // (0, 1]
  double u2 = rng.UniformDouble();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2 * M_PI * u2);
}

std::vector<RealTask> MakeCampaign(uint64_t seed) {
  SplitMixRng rng(seed);
  std::vector<RealTask> tasks;
  for (int trial = 0; trial < kTrials; ++trial) {
    for (int p = 0; p < 3; ++p) {
      const Profile& prof = kProfiles[p];
      double seconds = prof.median_s * std::exp(prof.sigma * StandardNormal(rng));
      RealTask t{p, prof.cores, {}, static_cast<int64_t>(seconds * 1e6)};
      if (p > 0) t.deps = {static_cast<int>(tasks.size()) - 1};
      tasks.push_back(t);
    }
  }
  return tasks;
}

// Runs every task to its end: at each instant, everything ending then releases its cores,
// then ready tasks (dependencies ended) are walked in index order, each starting on the first
// worker with room; the first that fits nowhere reserves all free cores of the worker with
// the most of them, and the walk goes on with what is left. Naive O(n^2) on purpose.
void Reality(std::vector<RealTask>& tasks) {
  std::vector<int> free = kWorkers;
  int64_t now = 0;
  size_t ended = 0;
  while (ended < tasks.size()) {
    std::vector<int> usable = free;
    bool reserved = false;
    for (RealTask& t : tasks) {
      if (t.start_us >= 0) continue;
      bool ready = std::all_of(t.deps.begin(), t.deps.end(), [&](int d) {
        return tasks[d].end_us >= 0 && tasks[d].end_us <= now;
      });
      if (!ready) continue;
      auto w = std::find_if(usable.begin(), usable.end(), [&](int f) { return f >= t.cores; });
      if (w != usable.end()) {
        *w -= t.cores;
        free[w - usable.begin()] -= t.cores;
        t.start_us = now;
        t.end_us = now + t.duration_us;
        t.worker = static_cast<int>(w - usable.begin());
      } else if (!reserved) {
        *std::max_element(usable.begin(), usable.end()) = 0;
        reserved = true;
      }
    }
    int64_t next = INT64_MAX;
    for (const RealTask& t : tasks) {
      if (t.start_us >= 0 && t.end_us > now) next = std::min(next, t.end_us);
    }
    now = next;
    for (RealTask& t : tasks) {
      if (t.start_us >= 0 && t.end_us == now) {
        free[t.worker] += t.cores;
        ++ended;
      }
    }
  }
}

struct Snapshot {
  int64_t now_us;
  ProfileStore store;
  ForecastInput input;
  double spent_core_hours = 0;
};

// What the scheduler knows at the instant the quarter-th task ends (tasks started at that
// very instant count as running with 0 elapsed).
Snapshot Observe(const std::vector<RealTask>& tasks) {
  std::vector<int64_t> ends;
  for (const RealTask& t : tasks) ends.push_back(t.end_us);
  std::sort(ends.begin(), ends.end());
  Snapshot s{ends[(tasks.size() + 3) / 4 - 1], ProfileStore(), {}};
  for (int c : kWorkers) s.input.workers.push_back({c});
  std::vector<int32_t> index(tasks.size(), -1);
  for (size_t i = 0; i < tasks.size(); ++i) {
    const RealTask& t = tasks[i];
    if (t.end_us <= s.now_us) {
      AttemptSample a;
      a.profile = kProfiles[t.profile].name;
      a.cores_allocated = t.cores;
      a.wall = Duration(t.duration_us);
      a.cpu = Duration(t.duration_us * t.cores * 9 / 10);
      a.succeeded = true;
      s.store.Record(a);
      s.spent_core_hours += t.cores * t.duration_us / 3.6e9;
      continue;
    }
    ForecastTask f;
    f.profile = kProfiles[t.profile].name;
    f.cores = t.cores;
    if (t.start_us <= s.now_us) {
      f.state = ForecastTaskState::kRunning;
      f.elapsed = Duration(s.now_us - t.start_us);
      f.worker = t.worker;
      s.spent_core_hours += t.cores * (s.now_us - t.start_us) / 3.6e9;
    } else {
      for (int d : t.deps) {
        if (index[d] >= 0) f.deps.push_back(index[d]);
      }
    }
    index[i] = static_cast<int32_t>(s.input.tasks.size());
    s.input.tasks.push_back(f);
  }
  return s;
}

TEST(ForecastCampaignTest, AfterAQuarterP50TotalWallAndCoreHoursAreWithinTenPercent) {
  for (uint64_t seed : {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::vector<RealTask> tasks = MakeCampaign(seed);
    Reality(tasks);
    int64_t real_makespan = 0;
    double real_core_hours = 0;
    for (const RealTask& t : tasks) {
      real_makespan = std::max(real_makespan, t.end_us);
      real_core_hours += t.cores * t.duration_us / 3.6e9;
    }
    Snapshot s = Observe(tasks);
    SplitMixRng rng(seed * 7919);
    Result<ForecastResult> r = RunForecast(s.input, s.store, rng);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->sources.profile_history, static_cast<int64_t>(s.input.tasks.size()));

    double forecast_total = static_cast<double>(s.now_us + r->finish_p50.count());
    double wall_error = forecast_total / static_cast<double>(real_makespan) - 1;
    double remaining_error =
        static_cast<double>(r->finish_p50.count()) / static_cast<double>(real_makespan - s.now_us) -
        1;
    double core_hours_error = (s.spent_core_hours + r->core_hours_p50) / real_core_hours - 1;
    std::printf(
        "seed %2llu: real %.2f h, forecast P50 %.2f h (P90 %.2f h) at %.2f h: total %+5.1f%%, "
        "remaining %+5.1f%%; core-hours real %.1f, forecast %.1f (%+5.1f%%)\n",
        static_cast<unsigned long long>(seed), real_makespan / 3.6e9, forecast_total / 3.6e9,
        (s.now_us + r->finish_p90.count()) / 3.6e9, s.now_us / 3.6e9, 100 * wall_error,
        100 * remaining_error, real_core_hours, s.spent_core_hours + r->core_hours_p50,
        100 * core_hours_error);
    EXPECT_LT(std::abs(wall_error), 0.10);
    EXPECT_LT(std::abs(core_hours_error), 0.10);
    EXPECT_GE(r->finish_p90, r->finish_p50);
    EXPECT_GE(r->core_hours_p90, r->core_hours_p50);
  }
}

}  // namespace
}  // namespace allot
