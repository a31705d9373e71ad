// The forecast against the real Scheduler (issue 10, point 6): campaigns of several shapes run
// through the core with a fake clock and attempts that end at start + their drawn duration;
// when 25% of the tasks have ended, RunForecast is asked for the P50 of the time left and of
// the core-hours left (from Scheduler::ForecastSnapshot and profiles(), as the live ETA asks
// it), the run goes on to the end, and the two are compared. Each shape runs several seeds; the table and the seeds are
// printed. Replay one: ALLOT_FORECAST_SEED=<seed> (it then runs that seed for every shape).
//
// Shapes (durations in seconds):
//   bimodal-elastic  120 sim -> ana chains; sims 0.2 or 1.0 (half each), 1-2 cores elastic;
//                    anas U(0.05, 0.25), 2 cores; 4 cores. (The campaign of the issue.)
//   bimodal-mixed    the same, sims on 1 or 2 cores (fixed, half each).
//   bimodal-1core    the same, every task on 1 core.
//   bimodal-wide     bimodal-1core on two workers of 8 cores: 16 attempts run at once, so at
//                    a quarter the ended sims are the short ones even more.
//   long-tail        400 independent tasks, lognormal (median 0.3, sigma 1.0), 1, 2 or 4
//                    cores; workers of 4 and 8 cores.
//   chains-3         140 simulate -> reconstruct -> analyse chains, lognormal (600/300/120,
//                    sigma 0.4/0.3/0.5), 1/2/1 cores; two workers of 4 cores.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include "common/rng.h"
#include "core/forecast/duration_models.h"
#include "core/forecast/forecaster.h"
#include "core/forecast/policy_simulator.h"
#include "core/scheduler.h"
#include "testing/fake_clock.h"
#include "testing/task_builder.h"
#include "testing/test_machines.h"

namespace allot {
namespace {

struct Campaign {
  std::vector<TaskSpec> specs;
  std::vector<double> seconds;  // by task index (submission order)
};

struct Shape {
  const char* name;
  std::vector<int> workers;
  std::function<Campaign(Rng&)> make;
  // A draw from the distribution the campaign's durations of `profile` come from (seconds):
  // what a forecast that knew it exactly would use (the oracle, below).
  std::function<double(const std::string& profile, Rng&)> truth;
};

double Normal(Rng& rng) {  // Box-Muller
  const double u1 = 1.0 - rng.UniformDouble();
  const double u2 = rng.UniformDouble();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2 * M_PI * u2);
}

double UniformIn(Rng& rng, double lo, double hi) { return lo + (hi - lo) * rng.UniformDouble(); }

double BimodalTruth(const std::string& profile, Rng& rng) {
  return profile == "sim" ? (rng.Uniform(2) == 0 ? 0.2 : 1.0) : UniformIn(rng, 0.05, 0.25);
}

double LongTailTruth(const std::string&, Rng& rng) { return 0.3 * std::exp(1.0 * Normal(rng)); }

struct Step {
  const char* name;
  int cores;
  double median, sigma;
};
constexpr Step kChainSteps[] = {
    {"simulate", 1, 600, 0.4}, {"reconstruct", 2, 300, 0.3}, {"analyse", 1, 120, 0.5}};

double ChainsTruth(const std::string& profile, Rng& rng) {
  for (const Step& s : kChainSteps) {
    if (profile == s.name) return s.median * std::exp(s.sigma * Normal(rng));
  }
  return 0;
}

// kSimCores: 0 elastic 1-2, 1 fixed 1 or 2, 2 all on 1 core.
Campaign Bimodal(Rng& rng, int sim_cores) {
  Campaign c;
  for (int i = 0; i < 120; ++i) {
    const std::string sim = "sim-" + std::to_string(i);
    TaskBuilder s(sim);
    if (sim_cores == 0) s.Cores(1, 2);
    if (sim_cores == 1) s.Cores(1 + static_cast<int>(rng.Uniform(2)));
    c.specs.push_back(s);
    c.seconds.push_back(BimodalTruth("sim", rng));
    c.specs.push_back(TaskBuilder("ana-" + std::to_string(i))
                          .Cores(sim_cores == 2 ? 1 : 2)
                          .DependsOn({sim}));
    c.seconds.push_back(BimodalTruth("ana", rng));
  }
  return c;
}

Campaign LongTail(Rng& rng) {
  Campaign c;
  for (int i = 0; i < 400; ++i) {
    const int cores[] = {1, 2, 4};
    c.specs.push_back(TaskBuilder("job-" + std::to_string(i)).Cores(cores[rng.Uniform(3)]));
    c.seconds.push_back(LongTailTruth("job", rng));
  }
  return c;
}

Campaign Chains3(Rng& rng) {
  Campaign c;
  for (int i = 0; i < 140; ++i) {
    std::string previous;
    for (const Step& s : kChainSteps) {
      const std::string id = std::string(s.name) + "-" + std::to_string(i);
      TaskBuilder b(id);
      b.Cores(s.cores);
      if (!previous.empty()) b.DependsOn({previous});
      c.specs.push_back(b);
      c.seconds.push_back(ChainsTruth(s.name, rng));
      previous = id;
    }
  }
  return c;
}

const std::vector<Shape>& Shapes() {
  static const std::vector<Shape> shapes = {
      {"bimodal-elastic", {4}, [](Rng& r) { return Bimodal(r, 0); }, BimodalTruth},
      {"bimodal-mixed", {4}, [](Rng& r) { return Bimodal(r, 1); }, BimodalTruth},
      {"bimodal-1core", {4}, [](Rng& r) { return Bimodal(r, 2); }, BimodalTruth},
      {"bimodal-wide", {8, 8}, [](Rng& r) { return Bimodal(r, 2); }, BimodalTruth},
      {"long-tail", {4, 8}, LongTail, LongTailTruth},
      {"chains-3", {4, 4}, Chains3, ChainsTruth},
  };
  return shapes;
}

// Plays the launcher and the clock around a real Scheduler: each launch ends at its start plus
// its task's duration, successfully; everything ending at one instant is reported, then one
// scheduling pass.
class Replay {
 public:
  Replay(const std::vector<int>& workers, Campaign campaign)
      : scheduler_(&clock_, SchedulerOptions()), campaign_(std::move(campaign)) {
    for (size_t w = 0; w < workers.size(); ++w) {
      EXPECT_TRUE(scheduler_
                      .AddWorker(static_cast<WorkerId>(w + 1), "w" + std::to_string(w),
                                 FlatMachine(workers[w]))
                      .ok());
    }
    EXPECT_TRUE(scheduler_.Submit(campaign_.specs).ok());
    Pump();
  }

  // Runs until `ended` tasks have ended (or all); returns false when nothing runs any more.
  bool RunUntil(size_t ended) {
    while (ended_ < ended && !ends_.empty()) Step();
    return !ends_.empty();
  }
  Scheduler& scheduler() { return scheduler_; }
  TimePoint now() const { return clock_.Now(); }
  size_t ended() const { return ended_; }
  // Core-seconds run after Mark() (from then on, by attempts that end later).
  void Mark() {
    mark_ = clock_.Now();
    core_seconds_after_mark_ = 0;
  }
  double core_seconds_after_mark() const { return core_seconds_after_mark_; }

 private:
  void Pump() {
    scheduler_.Schedule();
    for (const LaunchOrder& l : scheduler_.outbox()->launches) {
      const Duration d = FromSeconds(campaign_.seconds[l.task]);
      ends_.push({clock_.Now() + d, l.execution, d, clock_.Now(),
                  static_cast<int>(l.allocation.cpus.size())});
    }
    scheduler_.outbox()->Clear();
  }
  void Step() {
    const TimePoint at = ends_.top().at;
    clock_.AdvanceTo(at);
    while (!ends_.empty() && ends_.top().at == at) {
      AttemptUsage usage;
      usage.exit_code = 0;
      usage.wall = ends_.top().duration;
      usage.user_cpu = ends_.top().duration;
      scheduler_.OnAttemptExited(ends_.top().execution, usage);
      const TimePoint from = std::max(ends_.top().started, mark_);
      core_seconds_after_mark_ += ends_.top().cores * ToSeconds(at - from);
      ends_.pop();
      ++ended_;
    }
    Pump();
  }

  struct End {
    TimePoint at;
    ExecutionId execution;
    Duration duration;
    TimePoint started;
    int cores;
    bool operator>(const End& o) const {
      return at != o.at ? at > o.at : execution > o.execution;
    }
  };
  FakeClock clock_;
  Scheduler scheduler_;
  Campaign campaign_;
  std::priority_queue<End, std::vector<End>, std::greater<End>> ends_;
  size_t ended_ = 0;
  TimePoint mark_;
  double core_seconds_after_mark_ = 0;
};

struct Trial {
  double error = 0;        // P50 of the time left / the time that was left - 1
  double real_s = 0;       // the time that was left
  double p50_s = 0;        // the forecast's P50
  double bound_s = 0;      // its lower bound
  double forecast_ms = 0;  // not asserted: for the table
  double core_error = 0;   // P50 of the core-hours left / the core-hours that were run - 1
  double oracle_error = 0;  // the same error for a forecast that knew the true distributions
};

// The oracle's history: 1,000 walls per profile drawn from the true distribution (the most a
// profile's window keeps), in place of what the campaign has seen so far.
ProfileStore TrueHistory(const Shape& shape, const ForecastInput& input, uint64_t seed) {
  ProfileStore store;
  SplitMixRng rng(seed * 104729);
  std::vector<std::string> profiles;
  for (const ForecastTask& t : input.tasks) {
    if (std::find(profiles.begin(), profiles.end(), t.profile) == profiles.end()) {
      profiles.push_back(t.profile);
    }
  }
  for (const std::string& profile : profiles) {
    for (int i = 0; i < 1000; ++i) {
      AttemptSample a;
      a.profile = profile;
      a.cores_allocated = 1;
      a.wall = FromSeconds(shape.truth(profile, rng));
      a.cpu = a.wall;
      a.succeeded = true;
      store.Record(a);
    }
  }
  return store;
}

Trial RunTrial(const Shape& shape, uint64_t seed) {
  SplitMixRng rng(seed);
  Campaign campaign = shape.make(rng);
  const size_t n = campaign.specs.size();
  Replay replay(shape.workers, std::move(campaign));
  EXPECT_TRUE(replay.RunUntil((n + 3) / 4));
  const TimePoint at = replay.now();
  replay.Mark();
  ForecastInput input = replay.scheduler().ForecastSnapshot();
  SplitMixRng forecast_rng(seed * 7919);
  Result<ForecastResult> r = RunForecast(input, replay.scheduler().profiles(), forecast_rng);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return {};
  SplitMixRng oracle_rng(seed * 7919);
  Result<ForecastResult> oracle =
      RunForecast(input, TrueHistory(shape, input, seed), oracle_rng);
  EXPECT_TRUE(oracle.ok()) << oracle.status().ToString();
  if (!oracle.ok()) return {};
  replay.RunUntil(n);
  EXPECT_EQ(replay.ended(), n);
  Trial t;
  t.real_s = ToSeconds(replay.now() - at);
  t.p50_s = ToSeconds(r->finish_p50);
  t.bound_s = ToSeconds(r->lower_bound);
  t.error = t.p50_s / t.real_s - 1;
  t.oracle_error = ToSeconds(oracle->finish_p50) / t.real_s - 1;
  t.core_error = r->core_hours_p50 * 3600 / replay.core_seconds_after_mark() - 1;
  EXPECT_GE(r->finish_p50, r->lower_bound);
  EXPECT_GE(r->finish_p90, r->finish_p50);
  return t;
}

std::vector<uint64_t> Seeds() {
  if (const char* env = std::getenv("ALLOT_FORECAST_SEED")) {
    return {std::strtoull(env, nullptr, 10)};
  }
  return {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
}

// Per seed the error is mostly chance, not bias: at a quarter the forecast knows a profile
// from a few dozen walls (bimodal: 30 sims, so the share of long ones is known to about
// +-9%), and the work left is itself a draw. So the bound is on the mean |error| over the
// seeds (and on its bias, the median error); long-tail, whose 300 remaining lognormal
// (sigma 1) durations alone vary by ~8% and whose 100-wall mean by ~13%, gets 20%. The
// oracle is the same forecast given 1,000 walls of the true distribution per profile: its
// error is the chance in the work left alone (the realized durations), and the forecast must
// stay within 6 points of it. A replay of one seed (ALLOT_FORECAST_SEED) only checks against
// gross misses (40%).
TEST(ForecastAccuracyTest, AtAQuarterTheP50OfTheTimeLeftIsWithinTenPercentOnEveryShape) {
  const std::vector<uint64_t> seeds = Seeds();
  std::printf("%-16s %6s %9s %9s %9s %8s %11s %8s\n", "shape", "seed", "real s", "P50 s",
              "bound s", "error", "core-hours", "oracle");
  for (const Shape& shape : Shapes()) {
    std::vector<double> errors;
    double sum_abs = 0, sum_abs_core = 0, sum_abs_oracle = 0;
    for (uint64_t seed : seeds) {
      SCOPED_TRACE(std::string(shape.name) + " seed " + std::to_string(seed) +
                   " (replay: ALLOT_FORECAST_SEED=" + std::to_string(seed) + ")");
      Trial t = RunTrial(shape, seed);
      std::printf("%-16s %6llu %9.2f %9.2f %9.2f %+7.1f%% %+10.1f%% %+7.1f%%\n", shape.name,
                  static_cast<unsigned long long>(seed), t.real_s, t.p50_s, t.bound_s,
                  100 * t.error, 100 * t.core_error, 100 * t.oracle_error);
      errors.push_back(t.error);
      sum_abs += std::abs(t.error);
      sum_abs_core += std::abs(t.core_error);
      sum_abs_oracle += std::abs(t.oracle_error);
      EXPECT_LT(std::abs(t.error), 0.40);
    }
    std::sort(errors.begin(), errors.end());
    const double mean_abs = sum_abs / static_cast<double>(seeds.size());
    const double median = errors[errors.size() / 2];
    const double mean_abs_core = sum_abs_core / static_cast<double>(seeds.size());
    const double mean_abs_oracle = sum_abs_oracle / static_cast<double>(seeds.size());
    std::printf("%-16s mean |error| %.1f%%, median error %+.1f%%; core-hours mean |error| %.1f%%; "
                "oracle mean |error| %.1f%%\n",
                shape.name, 100 * mean_abs, 100 * median, 100 * mean_abs_core,
                100 * mean_abs_oracle);
    if (seeds.size() < 5) continue;
    const double bound = std::string(shape.name) == "long-tail" ? 0.20 : 0.10;
    EXPECT_LT(mean_abs, bound) << shape.name;
    EXPECT_LT(mean_abs_core, bound) << shape.name << ": core-hours";
    // What is left beyond the oracle is learning the distributions from a quarter's walls.
    EXPECT_LT(mean_abs, mean_abs_oracle + 0.06) << shape.name << ": far from the oracle";
    EXPECT_LT(std::abs(median), 0.10) << shape.name;
  }
}

// The simulation is the Scheduler's policy, not a look-alike: given the true durations of
// the tasks left (and the estimates the forecast gives the policy), it says when the real run
// ends. Exact, except where the estimates the Scheduler learns go on moving after the
// snapshot (the P90s the backfill and the patience use): then within 3%.
TEST(ForecastAccuracyTest, GivenTheTrueDurationsTheSimulationReplaysTheScheduler) {
  int exact = 0, trials = 0;
  double worst = 0;
  for (const Shape& shape : Shapes()) {
    for (uint64_t seed : Seeds()) {
      SCOPED_TRACE(std::string(shape.name) + " seed " + std::to_string(seed));
      ++trials;
      SplitMixRng rng(seed);
      Campaign campaign = shape.make(rng);
      const std::vector<double> seconds = campaign.seconds;
      const size_t n = campaign.specs.size();
      Replay replay(shape.workers, std::move(campaign));
      replay.RunUntil((n + 3) / 4);
      const TimePoint at = replay.now();
      const ForecastInput input = replay.scheduler().ForecastSnapshot();
      std::vector<int64_t> left;  // forecast tasks are the unfinished ones in index order
      for (TaskIndex t = 0; t < n; ++t) {
        if (IsTerminal(replay.scheduler().state(t))) continue;
        const ForecastTask& f = input.tasks[left.size()];
        const int64_t d = FromSeconds(seconds[t]).count();
        left.push_back(f.state == ForecastTaskState::kRunning ? d - f.elapsed.count() : d);
      }
      // The estimates the policy will see: the learned ones, as RunForecast gives them.
      Result<DurationModels> models =
          DurationModels::Build(input, replay.scheduler().profiles());
      ASSERT_TRUE(models.ok()) << models.status().ToString();
      Result<PolicySimulator> sim = PolicySimulator::Create(input, models->policy_estimates());
      ASSERT_TRUE(sim.ok()) << sim.status().ToString();
      const int64_t simulated = sim->Run(left).makespan_us;
      replay.RunUntil(n);
      const int64_t real = (replay.now() - at).count();
      const double ratio = static_cast<double>(simulated) / static_cast<double>(real);
      if (simulated == real) ++exact;
      worst = std::max(worst, std::abs(ratio - 1));
      EXPECT_NEAR(ratio, 1.0, 0.03);
    }
  }
  std::printf("the simulation given the true durations: %d of %d runs exact, worst %.2f%% off\n",
              exact, trials, 100 * worst);
}

}  // namespace
}  // namespace allot
