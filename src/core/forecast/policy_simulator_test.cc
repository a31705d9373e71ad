#include "core/forecast/policy_simulator.h"

#include <gtest/gtest.h>

#include <vector>

namespace allot {
namespace {

constexpr int64_t kS = 1'000'000;

ForecastTask Queued(int cores, std::vector<int32_t> deps = {}, int priority = 0) {
  ForecastTask t;
  t.cores = cores;
  t.deps = std::move(deps);
  t.priority = priority;
  return t;
}

ForecastTask Running(int cores, int worker = -1) {
  ForecastTask t;
  t.cores = cores;
  t.state = ForecastTaskState::kRunning;
  t.worker = worker;
  return t;
}

ForecastInput Input(std::vector<ForecastTask> tasks, std::vector<int> workers) {
  ForecastInput in;
  in.tasks = std::move(tasks);
  for (int c : workers) in.workers.push_back({c});
  return in;
}

PolicySimulator::Outcome RunOnce(const ForecastInput& in, std::vector<int64_t> durations) {
  Result<PolicySimulator> sim = PolicySimulator::Create(in);
  EXPECT_TRUE(sim.ok()) << sim.status().ToString();
  return sim->Run(durations);
}

TEST(PolicySimulatorTest, IndependentTasksFillTheCores) {
  ForecastInput in = Input({Queued(1), Queued(1), Queued(1), Queued(1)}, {2});
  PolicySimulator::Outcome out = RunOnce(in, {10 * kS, 10 * kS, 10 * kS, 10 * kS});
  EXPECT_EQ(out.makespan_us, 20 * kS);
  EXPECT_DOUBLE_EQ(out.core_seconds, 40);
}

TEST(PolicySimulatorTest, DependentsStartWhenTheirDependenciesEnd) {
  ForecastInput in = Input({Queued(1), Queued(1, {0}), Queued(1, {1})}, {8});
  EXPECT_EQ(RunOnce(in, {1 * kS, 2 * kS, 3 * kS}).makespan_us, 6 * kS);
}

TEST(PolicySimulatorTest, HigherPriorityStartsFirst) {
  // 2 cores. Task 2 (priority 5) heads a 5 s chain: it starts at 0 beside task 0, so the chain
  // ends at 6. In index order it would start at 1 and the chain end at 7.
  ForecastInput in = Input({Queued(1), Queued(1), Queued(1, {}, 5), Queued(1, {2})}, {2});
  EXPECT_EQ(RunOnce(in, {1 * kS, 1 * kS, 1 * kS, 5 * kS}).makespan_us, 6 * kS);
  in.tasks[2].priority = 0;
  EXPECT_EQ(RunOnce(in, {1 * kS, 1 * kS, 1 * kS, 5 * kS}).makespan_us, 7 * kS);
}

TEST(PolicySimulatorTest, BlockedHeadReservesSoSmallerTasksCannotStarveIt) {
  // 2 cores, one busy for 10 s. The 2-core head (task 1) keeps the free core for itself, so a
  // stream of 1-core tasks cannot take turns on it; it starts at 10 and its 100 s dependent
  // (highest priority) at 11. Without the reservation the head would start at 16.
  ForecastInput in =
      Input({Running(1), Queued(2), Queued(1), Queued(1), Queued(1), Queued(1, {1}, 9)}, {2});
  EXPECT_EQ(RunOnce(in, {10 * kS, 1 * kS, 8 * kS, 8 * kS, 8 * kS, 100 * kS}).makespan_us, 111 * kS);
}

TEST(PolicySimulatorTest, SmallerTasksBackfillOtherWorkersBesideAWaitingHead) {
  // Worker 0 (2 cores) has 1 free and is reserved by the 2-core head; the 1-core task starts
  // at once on worker 1 (it would end at 22 if it waited behind the head).
  ForecastInput in = Input({Running(1, 0), Queued(2), Queued(1)}, {2, 1});
  EXPECT_EQ(RunOnce(in, {10 * kS, 5 * kS, 12 * kS}).makespan_us, 15 * kS);
}

TEST(PolicySimulatorTest, RunningTasksHoldTheirWorkersCores) {
  ForecastInput in = Input({Running(4, 1), Queued(4)}, {4, 4});
  EXPECT_EQ(RunOnce(in, {10 * kS, 3 * kS}).makespan_us, 10 * kS);  // runs on worker 0 at once
  ForecastInput full = Input({Running(4, 0), Running(4, 1), Queued(4)}, {4, 4});
  EXPECT_EQ(RunOnce(full, {10 * kS, 7 * kS, 5 * kS}).makespan_us, 12 * kS);  // 7..12 on w1
}

TEST(PolicySimulatorTest, RunCanBeRepeatedWithOtherDurations) {
  ForecastInput in = Input({Queued(1), Queued(1, {0})}, {1});
  Result<PolicySimulator> sim = PolicySimulator::Create(in);
  ASSERT_TRUE(sim.ok());
  EXPECT_EQ(sim->Run({1 * kS, 1 * kS}).makespan_us, 2 * kS);
  EXPECT_EQ(sim->Run({5 * kS, 1 * kS}).makespan_us, 6 * kS);
  EXPECT_EQ(sim->Run({1 * kS, 1 * kS}).makespan_us, 2 * kS);
}

TEST(PolicySimulatorTest, ElasticTasksTakeUpToTheirMaxAsThePolicyGivesThem) {
  // 4 cores; two tasks of 1-4 cores. The first takes all 4 (the policy gives an elastic task
  // what is free, up to its max), so the second waits: 20 s, not 10 s, and 80 core-seconds.
  ForecastInput in = Input({Queued(1), Queued(1)}, {4});
  for (ForecastTask& t : in.tasks) t.cores_max = 4;
  PolicySimulator::Outcome out = RunOnce(in, {10 * kS, 10 * kS});
  EXPECT_EQ(out.makespan_us, 20 * kS);
  EXPECT_DOUBLE_EQ(out.core_seconds, 80);
}

TEST(PolicySimulatorTest, AShortTaskBackfillsBeforeTheHeadsShadowTimeWithEstimates) {
  // 2 cores, one busy until 10 s (estimate 10 s). The 2-core head waits for it; a 1-core task
  // estimated at 5 s ends before the shadow time and runs on the free core at once (EASY
  // backfill, step 3). Without estimates the head keeps the free core and it runs after the
  // head, 11..16.
  ForecastInput in = Input({Running(1, 0), Queued(2), Queued(1)}, {2});
  in.tasks[0].time_estimate = std::chrono::seconds(10);
  in.tasks[2].time_estimate = std::chrono::seconds(5);
  EXPECT_EQ(RunOnce(in, {10 * kS, 1 * kS, 5 * kS}).makespan_us, 11 * kS);
  in.tasks[0].time_estimate.reset();
  in.tasks[2].time_estimate.reset();
  EXPECT_EQ(RunOnce(in, {10 * kS, 1 * kS, 5 * kS}).makespan_us, 16 * kS);
}

TEST(PolicySimulatorTest, TheEstimatesGivenReplaceTheTasksOwn) {
  ForecastInput in = Input({Running(1, 0), Queued(2), Queued(1)}, {2});
  Result<PolicySimulator> sim = PolicySimulator::Create(
      in, {std::chrono::seconds(10), std::nullopt, std::chrono::seconds(5)});
  ASSERT_TRUE(sim.ok());
  EXPECT_EQ(sim->Run({10 * kS, 1 * kS, 5 * kS}).makespan_us, 11 * kS);
}

TEST(PolicySimulatorTest, MaxRunningLimitsHowManyRunAtOnce) {
  ForecastInput in = Input({Queued(1), Queued(1), Queued(1), Queued(1)}, {4});
  in.max_running = 2;
  EXPECT_EQ(RunOnce(in, {10 * kS, 10 * kS, 10 * kS, 10 * kS}).makespan_us, 20 * kS);
}

TEST(PolicySimulatorTest, NothingToDoEndsNow) {
  EXPECT_EQ(RunOnce(Input({}, {}), {}).makespan_us, 0);
}

TEST(PolicySimulatorTest, RejectsMalformedInputNamingTheTask) {
  auto error = [](ForecastInput in) {
    Result<PolicySimulator> sim = PolicySimulator::Create(in);
    return sim.ok() ? std::string("ok") : sim.status().message();
  };
  EXPECT_EQ(error(Input({Queued(1), Queued(1, {7})}, {1})),
            "forecast task 1: dependency index out of range");
  EXPECT_EQ(error(Input({Queued(1, {0})}, {1})), "forecast task 0: depends on itself");
  EXPECT_EQ(error(Input({Queued(1), Queued(1, {2}), Queued(1, {1})}, {1})),
            "forecast task 1: is part of a dependency cycle (or waits on one)");
  EXPECT_EQ(error(Input({Queued(1), Queued(9)}, {4, 8})),
            "forecast task 1: needs 9 cores; the largest worker has 8");
  EXPECT_EQ(error(Input({Running(3, 0), Running(3, 0)}, {4})),
            "forecast task 1: running on worker 0, which has too few cores left");
  EXPECT_EQ(error(Input({Running(1, 2)}, {4})),
            "forecast task 0: running on worker 2, which does not exist");
  EXPECT_EQ(error(Input({Queued(1)}, {})), "forecast: no workers");
}

}  // namespace
}  // namespace allot
