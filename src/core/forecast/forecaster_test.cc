#include "core/forecast/forecaster.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "core/forecast/duration_models.h"

namespace allot {
namespace {

using std::chrono::seconds;

void Learn(ProfileStore* store, const char* profile, std::vector<int> walls_s) {
  for (int w : walls_s) {
    AttemptSample s;
    s.profile = profile;
    s.cores_allocated = 1;
    s.wall = seconds(w);
    s.cpu = seconds(w);
    s.succeeded = true;
    store->Record(s);
  }
}

ForecastTask Task(const char* profile, int cores = 1) {
  ForecastTask t;
  t.profile = profile;
  t.cores = cores;
  return t;
}

TEST(ForecasterTest, FixedDurationsGiveAnExactForecast) {
  ProfileStore store;
  ForecastInput in;
  in.workers = {{2}};
  ForecastTask a = Task("");
  a.time_estimate = seconds(100);
  in.tasks = {a, a, a, a};  // 4 x 100 s on 2 cores
  SplitMixRng rng(1);
  Result<ForecastResult> r = RunForecast(in, store, rng, {.runs = 10});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->finish_p50, seconds(200));
  EXPECT_EQ(r->finish_p90, seconds(200));
  EXPECT_DOUBLE_EQ(r->core_hours_p50, 400.0 / 3600);
  EXPECT_EQ(r->runs, 10);
  EXPECT_TRUE(r->makespans.empty());
}

TEST(ForecasterTest, DurationSourcesAreTakenInOrderAndCounted) {
  ProfileStore store;
  Learn(&store, "known", {10, 10, 10});
  Learn(&store, "thin", {10, 10});  // two samples: not enough to learn
  ForecastInput in;
  in.workers = {{1}};
  ForecastTask history = Task("known");
  history.time_estimate = seconds(999);  // history wins over the estimate
  ForecastTask estimate = Task("thin");
  estimate.time_estimate = seconds(20);
  estimate.time_limit = seconds(999);
  ForecastTask sparse = Task("thin");  // its own walls beat a limit
  sparse.time_limit = seconds(999);
  ForecastTask limit = Task("never-ran");
  limit.time_limit = seconds(30);
  ForecastTask pooled = Task("unknown");  // every profile's walls pooled: {10 x5}
  in.tasks = {history, estimate, sparse, limit, pooled};
  SplitMixRng rng(2);
  Result<ForecastResult> r = RunForecast(in, store, rng, {.runs = 5});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->sources.profile_history, 1);
  EXPECT_EQ(r->sources.time_estimate, 1);
  EXPECT_EQ(r->sources.thin_history, 1);
  EXPECT_EQ(r->sources.time_limit, 1);
  EXPECT_EQ(r->sources.pooled_history, 1);
  EXPECT_EQ(r->finish_p50, seconds(10 + 20 + 10 + 30 + 10));
}

// A profile with one or two walls: its own typical duration (their log-mean), spread as the
// profiles with history spread around theirs; not the pooled walls of other stages.
TEST(ForecasterTest, AThinProfileDrawsItsOwnScaleWithTheSpreadOfTheOthers) {
  ProfileStore thin;
  Learn(&thin, "sim", {10, 20, 40});  // log-mean 20: x0.5, x1, x2 around it
  Learn(&thin, "ana", {100, 100});    // 2 walls: not enough to learn
  ProfileStore learned;               // what "ana" would be with that spread
  Learn(&learned, "ana", {50, 100, 200});
  ForecastInput in;
  in.workers = {{1}};
  in.tasks = {Task("ana"), Task("ana")};
  SplitMixRng rng_thin(3), rng_learned(3);
  Result<ForecastResult> a = RunForecast(in, thin, rng_thin, {.runs = 200});
  Result<ForecastResult> b = RunForecast(in, learned, rng_learned, {.runs = 200});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(a->sources.thin_history, 2);
  EXPECT_EQ(b->sources.profile_history, 2);
  EXPECT_NEAR(ToSeconds(a->finish_p50), ToSeconds(b->finish_p50), 0.01);
  EXPECT_NEAR(ToSeconds(a->finish_p90), ToSeconds(b->finish_p90), 0.01);
  EXPECT_GT(ToSeconds(a->finish_p50), 150) << "not the pooled walls {10, 20, 40, 100, 100}";
}

TEST(ForecasterTest, ATaskWithoutHistoryDrawsFromEveryProfilesPooledWalls) {
  // The pooled walls are a distribution, not their median: 40% of them are long.
  ProfileStore store;
  Learn(&store, "short", {10, 10, 10});
  Learn(&store, "thin", {1000, 1000});
  ForecastInput in;
  in.workers = {{1}};
  in.tasks = {Task("unknown")};
  SplitMixRng rng(12);
  Result<ForecastResult> r = RunForecast(in, store, rng, {.runs = 200});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->sources.pooled_history, 1);
  EXPECT_EQ(r->finish_p90, seconds(1000));
}

// The simulated policy sees what the real one does (Scheduler::ExpectedRuntimeOf): a task's
// own estimate, its profile's learned one, its limit, else the campaign's pooled P90.
TEST(ForecasterTest, ThePolicyEstimatesFallBackToTheCampaignsPooledP90) {
  ProfileStore store;
  Learn(&store, "short", {10, 10, 10});
  Learn(&store, "thin", {1000, 1000});
  ForecastInput in;
  in.workers = {{1}};
  ForecastTask own = Task("unknown");
  own.time_estimate = seconds(7);
  ForecastTask limited = Task("unknown");
  limited.time_limit = seconds(60);
  in.tasks = {Task("short"), own, limited, Task("unknown"), Task("thin")};
  Result<DurationModels> m = DurationModels::Build(in, store);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const std::vector<std::optional<Duration>>& e = m->policy_estimates();
  ASSERT_EQ(e.size(), 5u);
  EXPECT_EQ(e[0], Duration(seconds(10)));  // its profile learned one
  EXPECT_EQ(e[1], Duration(seconds(7)));
  EXPECT_FALSE(e[2]) << "the limit is what the policy goes by";
  ASSERT_TRUE(e[3]);
  ASSERT_TRUE(store.PooledEstimate());
  EXPECT_EQ(*e[3], *store.PooledEstimate());
  EXPECT_GT(*e[3], Duration(seconds(10))) << "the P90 of 10, 10, 10, 1000, 1000";
  EXPECT_EQ(e[4], store.PooledEstimate()) << "two walls teach their profile nothing yet";
}

TEST(ForecasterTest, RunningAttemptsLongerThanEveryWallLengthenTheQueuedOnes) {
  // Three 1 s walls ended; three attempts of the same profile have run 5 s and go on. They
  // are half of what was seen: the queued tasks are forecast long half of the time, not never
  // (the survivorship bias of drawing from the ended walls alone).
  ProfileStore store;
  Learn(&store, "sim", {1, 1, 1});
  ForecastInput in;
  in.workers = {{3}, {1}};
  for (int i = 0; i < 3; ++i) {
    ForecastTask t = Task("sim");
    t.state = ForecastTaskState::kRunning;
    t.elapsed = seconds(5);
    t.worker = 0;
    in.tasks.push_back(t);
  }
  for (int i = 0; i < 20; ++i) in.tasks.push_back(Task("sim"));
  SplitMixRng rng(13);
  Result<ForecastResult> r = RunForecast(in, store, rng, {.runs = 50});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // Uncensored: 20 x 1 s over 4 cores after the running ones' ~0.1 s overrun, about 5 s.
  EXPECT_GT(r->finish_p50, seconds(10));
}

TEST(ForecasterTest, TheFinishIsNeverBelowTheExpectedWorkOverTheCores) {
  // One task on one core: 1 s nine times in ten, 100 s once. Its median run is 1 s, but the
  // expected work is about 10.9 core-seconds: the P50 is raised to that lower bound.
  ProfileStore store;
  Learn(&store, "tail", {1, 1, 1, 1, 1, 1, 1, 1, 1, 100});
  ForecastInput in;
  in.workers = {{1}};
  in.tasks = {Task("tail")};
  SplitMixRng rng(14);
  Result<ForecastResult> r = RunForecast(in, store, rng, {.runs = 400, .keep_makespans = true});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<Duration> sorted = r->makespans;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted[sorted.size() / 2], seconds(1));  // what the P50 of the runs says
  EXPECT_GT(r->lower_bound, seconds(5));
  EXPECT_LT(r->lower_bound, seconds(20));
  EXPECT_EQ(r->finish_p50, r->lower_bound);
  EXPECT_GE(r->finish_p90, r->finish_p50);
}

TEST(ForecasterTest, NoSourceAtAllIsAFailedPreconditionNamingTheTask) {
  ProfileStore store;
  ForecastInput in;
  in.workers = {{1}};
  in.tasks = {Task("sim")};
  SplitMixRng rng(3);
  Result<ForecastResult> r = RunForecast(in, store, rng);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("task 0 (profile 'sim')"), std::string::npos);
}

TEST(ForecasterTest, MalformedInputAndZeroRunsAreInvalidArguments) {
  ProfileStore store;
  Learn(&store, "sim", {1, 2, 3});
  ForecastInput in;
  in.workers = {{1}};
  in.tasks = {Task("sim", 2)};
  SplitMixRng rng(4);
  EXPECT_EQ(RunForecast(in, store, rng).status().code(), StatusCode::kInvalidArgument);
  in.tasks = {Task("sim")};
  EXPECT_EQ(RunForecast(in, store, rng, {.runs = 0}).status().code(), StatusCode::kInvalidArgument);
}

TEST(ForecasterTest, SameSeedSameForecastAndP90IsNotBelowP50) {
  ProfileStore store;
  Learn(&store, "sim", {5, 10, 20, 40, 80, 160});
  ForecastInput in;
  in.workers = {{4}, {2}};
  for (int i = 0; i < 50; ++i) in.tasks.push_back(Task("sim", 1 + i % 3));
  in.tasks[10].deps = {3, 4};
  in.tasks[0].state = ForecastTaskState::kRunning;
  in.tasks[0].elapsed = seconds(30);
  SplitMixRng rng_a(9), rng_b(9);
  Result<ForecastResult> a = RunForecast(in, store, rng_a, {.runs = 50, .keep_makespans = true});
  Result<ForecastResult> b = RunForecast(in, store, rng_b, {.runs = 50, .keep_makespans = true});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->makespans, b->makespans);
  EXPECT_EQ(a->makespans.size(), 50u);
  EXPECT_GE(a->finish_p90, a->finish_p50);
  EXPECT_GE(a->core_hours_p90, a->core_hours_p50);
  EXPECT_LT(a->finish_p50, a->finish_p90);  // durations vary 32x: the spread must show
}

TEST(ForecasterTest, RunningTaskPastItsLongestWallIsNotForecastToEndInThePast) {
  ProfileStore store;
  Learn(&store, "sim", {10, 10, 10});
  ForecastInput in;
  in.workers = {{1}};
  ForecastTask t = Task("sim");
  t.state = ForecastTaskState::kRunning;
  t.elapsed = seconds(50);
  in.tasks = {t};
  SplitMixRng rng(5);
  Result<ForecastResult> r = RunForecast(in, store, rng, {.runs = 3});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->finish_p50, seconds(1));  // overrun: a tenth of the median more
}

TEST(ForecasterTest, NoUnfinishedWorkFinishesNow) {
  ProfileStore store;
  ForecastInput in;
  SplitMixRng rng(6);
  Result<ForecastResult> r = RunForecast(in, store, rng);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->finish_p90, Duration(0));
  EXPECT_EQ(r->core_hours_p90, 0);
}

}  // namespace
}  // namespace allot
