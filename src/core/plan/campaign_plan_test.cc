// PlanCampaign: stages, critical path and work of a task list, before anything runs.
#include "core/plan/campaign_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/task_builder.h"

namespace allot {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<TaskSpec> Chains(int n) {
  std::vector<TaskSpec> tasks;
  for (int i = 0; i < n; ++i) {
    const std::string k = std::to_string(i);
    tasks.push_back(TaskBuilder("sim-" + k).Estimate(std::chrono::seconds(100 + i)));
    tasks.push_back(TaskBuilder("reco-" + k).Cores(2).Estimate(50s).DependsOn({"sim-" + k}));
    tasks.push_back(TaskBuilder("ana-" + k).Estimate(10s).DependsOn({"reco-" + k}));
  }
  return tasks;
}

TEST(CampaignPlanTest, StagesAreProfilesInDependencyOrder) {
  std::vector<TaskSpec> tasks = Chains(3);
  // List order must not matter: the analyses first.
  std::rotate(tasks.begin(), tasks.begin() + 2, tasks.end());
  Result<CampaignPlan> plan = PlanCampaign(tasks);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->stages.size(), 3u);
  EXPECT_EQ(plan->stages[0].profile, "sim");
  EXPECT_EQ(plan->stages[1].profile, "reco");
  EXPECT_EQ(plan->stages[2].profile, "ana");
  EXPECT_THAT(plan->stages[0].after, IsEmpty());
  EXPECT_THAT(plan->stages[2].after, ElementsAre("reco"));
  EXPECT_EQ(plan->stages[1].tasks, 3);
  EXPECT_EQ(plan->stages[1].cores_min, 2);
  EXPECT_EQ(plan->stages[1].expected_total, 150s);
  EXPECT_EQ(plan->stages[2].depth, 2);
}

TEST(CampaignPlanTest, TheCriticalPathIsTheLongestChainByExpectedRunTime) {
  Result<CampaignPlan> plan = PlanCampaign(Chains(3));
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->critical_path, 102s + 50s + 10s);
  EXPECT_THAT(plan->critical_chain, ElementsAre("sim-2", "reco-2", "ana-2"));
  EXPECT_DOUBLE_EQ(plan->core_seconds, (100 + 101 + 102) + 3 * (2 * 50 + 10));
}

TEST(CampaignPlanTest, ALimitStandsInForAMissingEstimateAndTasksWithNeitherAreCounted) {
  std::vector<TaskSpec> tasks = {TaskBuilder("a").TimeLimit(30s), TaskBuilder("b"),
                                 TaskBuilder("c").DependsOn({"a", "b"}).Estimate(5s)};
  Result<CampaignPlan> plan = PlanCampaign(tasks);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->without_expected, 1);
  EXPECT_EQ(plan->critical_path, 35s);
  EXPECT_THAT(plan->critical_chain, ElementsAre("a", "c"));
}

TEST(CampaignPlanTest, ACycleOrAnUnknownDependencyNamesTheTask) {
  Result<CampaignPlan> cycle = PlanCampaign(
      {TaskBuilder("a").DependsOn({"b"}), TaskBuilder("b").DependsOn({"a"}), TaskBuilder("c")});
  ASSERT_FALSE(cycle.ok());
  EXPECT_THAT(cycle.status().message(), ::testing::HasSubstr("'a'"));
  Result<CampaignPlan> unknown = PlanCampaign({TaskBuilder("a").DependsOn({"nope"})});
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(), ::testing::HasSubstr("'nope'"));
}

TEST(CampaignPlanTest, AnEmptyListIsAnEmptyPlan) {
  Result<CampaignPlan> plan = PlanCampaign({});
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->tasks, 0);
  EXPECT_THAT(plan->stages, IsEmpty());
  EXPECT_THAT(plan->critical_chain, IsEmpty());
}

}  // namespace
}  // namespace allot
