#include "core/task_graph.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace allot {
namespace {

using ::testing::ElementsAre;

// deps[i] are the dependencies of batch task i.
BatchDeps Batch(const std::vector<std::vector<TaskIndex>>& deps) {
  BatchDeps b;
  b.first.push_back(0);
  for (const auto& d : deps) {
    b.deps.insert(b.deps.end(), d.begin(), d.end());
    b.first.push_back(static_cast<uint32_t>(b.deps.size()));
  }
  return b;
}

TEST(TaskGraphTest, UnmetCountsOnlyDependenciesNotYetMet) {
  TaskGraph g;
  g.AddBatch(Batch({{}, {}}), [](TaskIndex) { return false; });
  // Task 2 depends on 0 (met) and 1 (not); task 3 on 2 (same batch: never met yet).
  g.AddBatch(Batch({{0, 1}, {2}}), [](TaskIndex t) { return t == 0; });
  EXPECT_EQ(g.unmet(2), 1u);
  EXPECT_EQ(g.unmet(3), 1u);
  EXPECT_THAT(g.dependents(0), ElementsAre(2));
}

TEST(TaskGraphTest, SatisfyFreesDependentsWithNothingLeft) {
  TaskGraph g;
  g.AddBatch(Batch({{}, {}, {0, 1}, {0}}), [](TaskIndex) { return false; });
  std::vector<TaskIndex> freed;
  g.Satisfy(0, &freed);
  EXPECT_THAT(freed, ElementsAre(3));
  freed.clear();
  g.Satisfy(1, &freed);
  EXPECT_THAT(freed, ElementsAre(2));
}

TEST(TaskGraphTest, FindsACycleInsideTheBatchOnly) {
  // Batch starting at 5: task 5 -> 6 -> 7 -> 5, task 8 depends on old task 1.
  EXPECT_EQ(TaskGraph::FindCycle(5, Batch({{7}, {5}, {6}, {1}})).has_value(), true);
  EXPECT_FALSE(TaskGraph::FindCycle(5, Batch({{}, {5}, {6}, {1}})));
  std::optional<size_t> self = TaskGraph::FindCycle(0, Batch({{}, {1}}));
  ASSERT_TRUE(self);
  EXPECT_EQ(*self, 1u);
}

TEST(TaskGraphTest, AMillionLongChainHasNoCycleAndNoRecursion) {
  std::vector<std::vector<TaskIndex>> chain(1'000'000);
  for (TaskIndex i = 1; i < chain.size(); ++i) chain[i] = {i - 1};
  EXPECT_FALSE(TaskGraph::FindCycle(0, Batch(chain)));
}

}  // namespace
}  // namespace allot
