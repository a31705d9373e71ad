// Backfill with patience on whole workloads, through the real Scheduler (ScheduleReplay):
// the issue-10 mixed workload (1-2 core tasks, priorities, no estimates, 2 cores) packs
// within 5% of the lower bound where strict EASY idles, and a wide task still runs.
#include <gtest/gtest.h>

#include <cstdint>

#include "core/policy/greedy_first_fit_policy.h"
#include "core/policy/priority_backfill_policy.h"
#include "core/replay/schedule_replay.h"
#include "testing/test_machines.h"

namespace allot {
namespace {

// 120 tasks of 1-2 cores, priorities 0-3, 80-400 ms, one profile; no estimates.
std::vector<ReplayTask> Mixed() {
  uint64_t x = 42;
  auto next = [&x] {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<int>(x >> 33);
  };
  std::vector<ReplayTask> tasks;
  for (int i = 0; i < 120; ++i) {
    ReplayTask t;
    t.spec.id = "mix-" + std::to_string(i);
    const int cores = 1 + next() % 2;
    t.spec.resources.cores = {cores, cores};
    t.spec.priority = next() % 4;
    t.duration = std::chrono::milliseconds(80 + next() % 321);
    tasks.push_back(std::move(t));
  }
  return tasks;
}

// The same tasks with ids that share no profile ("m0", "m1", ...: each its own), as
// allocation-scheduler files often name them: nothing is learned per profile.
std::vector<ReplayTask> MixedUnrelatedIds() {
  std::vector<ReplayTask> tasks = Mixed();
  for (size_t i = 0; i < tasks.size(); ++i) tasks[i].spec.id = "m" + std::to_string(i);
  return tasks;
}

double Makespan(SchedulerOptions options, ScheduleReplay::PolicyFactory policy = nullptr,
                const std::vector<ReplayTask>& tasks = Mixed()) {
  Result<ReplayResult> r = ScheduleReplay(FlatMachine(2), options, policy).Run(tasks);
  EXPECT_TRUE(r.ok());
  return r.ok() ? ToSeconds(r->makespan) : 0;
}

double LowerBound() {
  double core_seconds = 0;
  for (const ReplayTask& t : Mixed()) core_seconds += t.spec.resources.cores.min * ToSeconds(t.duration);
  return core_seconds / 2;
}

TEST(BackfillPatienceTest, MixedWorkloadWithoutEstimatesPacksWithin5PercentOfTheLowerBound) {
  const double bound = LowerBound();
  SchedulerOptions strict;
  strict.backfill_patience = 0;
  const double easy = Makespan(strict);
  const double patient = Makespan(SchedulerOptions{});
  const double greedy =
      Makespan(strict, [] { return std::make_unique<GreedyFirstFitPolicy>(); });
  EXPECT_LE(patient, 1.05 * bound) << "lower bound " << bound;
  EXPECT_LT(patient, easy) << "strict EASY idles the cores a 2-core head waits for";
  EXPECT_LE(patient, 1.02 * greedy);
}

// Without a shared profile the policy goes by what the campaign's attempts say together
// (ProfileLearner::PooledEstimate): no core idles in front of every 2-core task.
TEST(BackfillPatienceTest, TasksThatShareNoProfileStillPackWithin5PercentOfTheLowerBound) {
  const double bound = LowerBound();
  SchedulerOptions strict;
  strict.backfill_patience = 0;
  const std::vector<ReplayTask> tasks = MixedUnrelatedIds();
  const double easy = Makespan(strict, nullptr, tasks);
  const double patient = Makespan(SchedulerOptions{}, nullptr, tasks);
  EXPECT_LE(patient, 1.05 * bound) << "lower bound " << bound;
  EXPECT_LT(patient, easy);
}

// A wide task whose narrow competitors never stop coming still starts: once its patience is
// spent, the tasks that could delay it no longer backfill.
TEST(BackfillPatienceTest, AWideTaskStartsWithinItsPatienceOfItsTurn) {
  std::vector<ReplayTask> tasks;
  auto add = [&tasks](std::string id, int cores, int ms, int priority, int submit_ms) {
    ReplayTask t;
    t.spec.id = std::move(id);
    t.spec.resources.cores = {cores, cores};
    t.spec.priority = priority;
    t.spec.time_estimate = std::chrono::milliseconds(ms);
    t.duration = std::chrono::milliseconds(ms);
    t.submit_at = std::chrono::milliseconds(submit_ms);
    tasks.push_back(std::move(t));
  };
  // Narrow 1 s tasks arrive every 0.5 s for 100 s, at higher priority than nothing else.
  for (int i = 0; i < 200; ++i) add("narrow-" + std::to_string(i), 1, 1000, 0, 500 * i);
  add("wide", 2, 1000, 1, 250);  // first blocked at ~0.25 s; patience: the default x 1 s
  Result<ReplayResult> r = ScheduleReplay(FlatMachine(2), SchedulerOptions{}).Run(tasks);
  ASSERT_TRUE(r.ok());
  const ReplayTaskRecord& wide = r->tasks.back();
  ASSERT_TRUE(wide.first_start.has_value());
  EXPECT_LE(ToSeconds(*wide.first_start), 0.25 + PriorityBackfillPolicy::kDefaultPatience + 1.0)
      << "its patience, plus one narrow task in front of it";
}

}  // namespace
}  // namespace allot
