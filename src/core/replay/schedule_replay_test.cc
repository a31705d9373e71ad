// ScheduleReplay: the real scheduler, a simulated clock and launcher, one event loop.
#include "core/replay/schedule_replay.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/policy/greedy_first_fit_policy.h"
#include "testing/task_builder.h"
#include "testing/test_machines.h"

namespace allot {
namespace {

using namespace std::chrono_literals;

ReplayTask Task(TaskSpec spec, Duration duration, Duration submit_at = 0s) {
  return ReplayTask{std::move(spec), submit_at, duration};
}

TEST(ScheduleReplayTest, TasksOnOneCoreRunBackToBack) {
  ScheduleReplay replay(FlatMachine(1), SchedulerOptions{});
  auto r = replay.Run({Task(TaskBuilder("a"), 1s), Task(TaskBuilder("b"), 2s),
                       Task(TaskBuilder("c"), 3s)});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->tasks[0].first_start, 0s);
  EXPECT_EQ(r->tasks[1].first_start, 1s);
  EXPECT_EQ(r->tasks[2].first_start, 3s);
  EXPECT_EQ(r->tasks[2].ended, 6s);
  EXPECT_EQ(r->makespan, 6s);
  EXPECT_DOUBLE_EQ(r->core_seconds, 6.0);
  EXPECT_EQ(r->launches, 3);
  for (const ReplayTaskRecord& t : r->tasks) EXPECT_EQ(t.state, TaskState::kSucceeded);
}

TEST(ScheduleReplayTest, TasksArriveAtTheirSubmitTimes) {
  ScheduleReplay replay(FlatMachine(2), SchedulerOptions{});
  auto r = replay.Run({Task(TaskBuilder("late"), 1s, 10s), Task(TaskBuilder("early"), 4s, 0s)});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->tasks[0].submitted, 10s);
  EXPECT_EQ(r->tasks[0].first_start, 10s);
  EXPECT_EQ(r->tasks[1].first_start, 0s);
  EXPECT_EQ(r->makespan, 11s);
}

TEST(ScheduleReplayTest, DependentsStartWhenTheirDependencyEnds) {
  ScheduleReplay replay(FlatMachine(4), SchedulerOptions{});
  auto r = replay.Run({Task(TaskBuilder("sim"), 5s), Task(TaskBuilder("reco").DependsOn({"sim"}), 2s)});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->tasks[1].first_start, 5s);
  EXPECT_EQ(r->makespan, 7s);
}

TEST(ScheduleReplayTest, ATimeLimitEndsTheAttemptAtTheLimit) {
  ScheduleReplay replay(FlatMachine(1), SchedulerOptions{});
  auto r = replay.Run({Task(TaskBuilder("slow").TimeLimit(3s), 10s), Task(TaskBuilder("next"), 1s)});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->tasks[0].state, TaskState::kFailed);
  EXPECT_EQ(r->tasks[0].ended, 3s);
  EXPECT_EQ(r->tasks[1].first_start, 3s);
}

TEST(ScheduleReplayTest, FailedAttemptsAreRetriedAndCounted) {
  ScheduleReplay replay(FlatMachine(1), SchedulerOptions{});
  ReplayTask t = Task(TaskBuilder("flaky").Retries(2), 2s);
  t.exit_code = 1;
  auto r = replay.Run({t});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->tasks[0].attempts, 3u);
  EXPECT_EQ(r->tasks[0].state, TaskState::kFailed);
  EXPECT_EQ(r->makespan, 6s);
  EXPECT_DOUBLE_EQ(r->core_seconds, 6.0);
}

TEST(ScheduleReplayTest, ARefusedBatchIsAnError) {
  ScheduleReplay replay(FlatMachine(2), SchedulerOptions{});
  EXPECT_EQ(replay.Run({Task(TaskBuilder("wide").Cores(4), 1s)}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(replay.Run({Task(TaskBuilder("a").DependsOn({"nope"}), 1s)}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(replay.Run({Task(TaskBuilder("a"), -1s)}).status().code(),
            StatusCode::kInvalidArgument);
}

// The same workload twice, and with the policy swapped: same inputs, same outputs.
TEST(ScheduleReplayTest, IsDeterministicAndRunsTheGivenPolicy) {
  std::vector<ReplayTask> tasks;
  tasks.push_back(Task(TaskBuilder("long"), 10s));
  tasks.push_back(Task(TaskBuilder("wide").Cores(2), 1s));
  for (int i = 0; i < 5; ++i) tasks.push_back(Task(TaskBuilder("n" + std::to_string(i)), 2s));
  SchedulerOptions strict;
  strict.backfill_patience = 0;
  ScheduleReplay easy(FlatMachine(2), strict);
  auto a = easy.Run(tasks);
  auto b = easy.Run(tasks);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->makespan, b->makespan);
  EXPECT_EQ(a->tasks[1].first_start, 10s) << "strict EASY: wide holds the free core";
  ScheduleReplay greedy(FlatMachine(2), strict,
                        [] { return std::make_unique<GreedyFirstFitPolicy>(); });
  auto g = greedy.Run(tasks);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->tasks[2].first_start, 0s) << "greedy: n0 takes the free core";
  EXPECT_EQ(g->makespan, 11s);
  EXPECT_EQ(a->makespan, 17s);
}

}  // namespace
}  // namespace allot
