#include "study/pareto.h"

#include <gtest/gtest.h>

namespace allot {
namespace {

TEST(ParetoTest, FrontOfTwoMinimizedObjectivesKeepsTiesAndDropsDominated) {
  const std::vector<std::vector<double>> points = {
      {1, 5},  // 0 front
      {2, 3},  // 1 front
      {2, 3},  // 2 a tie with 1: front too
      {3, 4},  // 3 dominated by 1
      {4, 1},  // 4 front
      {1, 6},  // 5 dominated by 0 (equal first, worse second)
      {5, 1},  // 6 dominated by 4
  };
  EXPECT_EQ(ParetoFront(points, {Goal::kMinimize, Goal::kMinimize}),
            (std::vector<size_t>{0, 1, 2, 4}));
}

TEST(ParetoTest, MixedGoalsFlipTheSecondObjective) {
  // Minimize cost, maximize resolution.
  const std::vector<std::vector<double>> points = {{1, 1}, {2, 3}, {2, 2}, {3, 3}, {0.5, 0}};
  EXPECT_EQ(ParetoFront(points, {Goal::kMinimize, Goal::kMaximize}),
            (std::vector<size_t>{4, 0, 1}));
  // Both maximized: the front is sorted best first by the first objective.
  EXPECT_EQ(ParetoFront(points, {Goal::kMaximize, Goal::kMaximize}), (std::vector<size_t>{3}));
}

TEST(ParetoTest, DominatesNeedsOneStrictImprovement) {
  const std::vector<Goal> min2 = {Goal::kMinimize, Goal::kMinimize};
  EXPECT_TRUE(Dominates({1, 1}, {1, 2}, min2));
  EXPECT_FALSE(Dominates({1, 2}, {1, 2}, min2));
  EXPECT_FALSE(Dominates({0, 3}, {1, 2}, min2));
}

TEST(ParetoTest, EmptyAndSinglePoint) {
  EXPECT_TRUE(ParetoFront({}, {Goal::kMinimize}).empty());
  EXPECT_EQ(ParetoFront({{7, 7}}, {Goal::kMinimize, Goal::kMaximize}), (std::vector<size_t>{0}));
}

}  // namespace
}  // namespace allot
