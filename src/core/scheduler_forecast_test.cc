// Scheduler::ForecastSnapshot: the unfinished work as the forecast sees it.
#include <gtest/gtest.h>

#include "core/scheduler.h"
#include "testing/fake_launcher_driver.h"
#include "testing/task_builder.h"
#include "testing/test_machines.h"

namespace allot {
namespace {

using namespace std::chrono_literals;

TEST(SchedulerForecastTest, SnapshotHasTheUnfinishedTasksTheirDependenciesAndRunningTime) {
  FakeLauncherDriver d(FlatMachine(2, 8 * kGiB));
  TaskSpec sim = TaskBuilder("sim").Cores(2).Estimate(30s);
  sim.tags["profile"] = "geant4";
  ASSERT_TRUE(d.Submit({TaskBuilder("done").Priority(1), sim,
                        TaskBuilder("post").DependsOn({"sim", "done"}),
                        TaskBuilder("later").DependsOn({"post"})})
                  .ok());
  d.Turn();  // done first (higher priority); only 2 cores: done (1) cannot share with sim (2)
  ASSERT_TRUE(d.IsRunning("done"));
  d.Exit("done", 0);
  d.Turn();
  ASSERT_TRUE(d.IsRunning("sim"));
  d.Advance(7s);

  ForecastInput in = d.scheduler().ForecastSnapshot();
  ASSERT_EQ(in.workers.size(), 1u);
  EXPECT_EQ(in.workers[0].cores, 2);
  ASSERT_EQ(in.tasks.size(), 3u) << "done is finished";
  const ForecastTask& s = in.tasks[0];
  EXPECT_EQ(s.state, ForecastTaskState::kRunning);
  EXPECT_EQ(s.elapsed, 7s);
  EXPECT_EQ(s.worker, 0);
  EXPECT_EQ(s.cores, 2);
  EXPECT_EQ(s.profile, "geant4");
  EXPECT_EQ(s.time_estimate, std::optional<Duration>(30s));
  const ForecastTask& post = in.tasks[1];
  EXPECT_EQ(post.state, ForecastTaskState::kQueued);
  EXPECT_EQ(post.deps, std::vector<int32_t>({0})) << "only unfinished dependencies";
  EXPECT_EQ(post.profile, "post");
  EXPECT_EQ(in.tasks[2].deps, std::vector<int32_t>({1}));
}

TEST(SchedulerForecastTest, SnapshotOfAFinishedCampaignIsEmpty) {
  FakeLauncherDriver d(FlatMachine(1, 8 * kGiB));
  ASSERT_TRUE(d.Submit({TaskBuilder("a")}).ok());
  d.Turn();
  d.Exit("a", 0);
  EXPECT_TRUE(d.scheduler().ForecastSnapshot().tasks.empty());
}

}  // namespace
}  // namespace allot
