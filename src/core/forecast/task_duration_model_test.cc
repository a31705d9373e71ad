#include "core/forecast/task_duration_model.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace allot {
namespace {

using std::chrono::seconds;

constexpr int64_t kS = 1'000'000;

TEST(TaskDurationModelTest, WithoutCensoringDrawsAreTheStoredWalls) {
  std::vector<double> walls = {10 * kS, 20 * kS, 30 * kS};
  SurvivalCurve curve(walls, {});
  TaskDurationModel m = TaskDurationModel::Learned(&curve, std::nullopt);
  SplitMixRng rng(1);
  std::set<int64_t> seen;
  for (int i = 0; i < 200; ++i) seen.insert(m.DrawMicros(rng));
  EXPECT_EQ(seen, (std::set<int64_t>{10 * kS, 20 * kS, 30 * kS}));
}

TEST(TaskDurationModelTest, DrawsAreCappedAtTheTimeLimit) {
  std::vector<double> walls = {10 * kS, 100 * kS};
  SurvivalCurve curve(walls, {});
  TaskDurationModel m = TaskDurationModel::Learned(&curve, seconds(50));
  SplitMixRng rng(2);
  for (int i = 0; i < 50; ++i) EXPECT_LE(m.DrawMicros(rng), 50 * kS);
  EXPECT_EQ(TaskDurationModel::Fixed(seconds(80), seconds(50)).DrawMicros(rng), 50 * kS);
}

TEST(TaskDurationModelTest, RemainingTimeComesOnlyFromWallsLongerThanElapsed) {
  std::vector<double> walls = {10 * kS, 20 * kS, 30 * kS, 40 * kS};
  SurvivalCurve curve(walls, {});
  TaskDurationModel m = TaskDurationModel::Learned(&curve, std::nullopt);
  SplitMixRng rng(3);
  std::set<int64_t> seen;
  for (int i = 0; i < 200; ++i) seen.insert(m.DrawRemainingMicros(25 * kS, rng));
  EXPECT_EQ(seen, (std::set<int64_t>{5 * kS, 15 * kS}));
}

TEST(TaskDurationModelTest, OverrunDrawsFromTheResidualsAboveTheMedian) {
  std::vector<double> walls = {10 * kS, 20 * kS, 30 * kS, 50 * kS};  // median 25
  SurvivalCurve curve(walls, {});
  TaskDurationModel m = TaskDurationModel::Learned(&curve, std::nullopt);
  SplitMixRng rng(4);
  std::set<int64_t> seen;
  for (int i = 0; i < 200; ++i) seen.insert(m.DrawRemainingMicros(60 * kS, rng));
  EXPECT_EQ(seen, (std::set<int64_t>{5 * kS, 25 * kS}));
}

TEST(TaskDurationModelTest, OverrunWithIdenticalWallsGoesOnForATenthOfThem) {
  std::vector<double> walls = {10 * kS, 10 * kS, 10 * kS};
  SurvivalCurve curve(walls, {});
  SplitMixRng rng(5);
  EXPECT_EQ(TaskDurationModel::Learned(&curve, std::nullopt).DrawRemainingMicros(12 * kS, rng),
            1 * kS);
  EXPECT_EQ(TaskDurationModel::Fixed(seconds(10), std::nullopt).DrawRemainingMicros(12 * kS, rng),
            1 * kS);
}

TEST(TaskDurationModelTest, FixedRemainingIsWhatIsLeft) {
  SplitMixRng rng(6);
  EXPECT_EQ(TaskDurationModel::Fixed(seconds(10), std::nullopt).DrawRemainingMicros(4 * kS, rng),
            6 * kS);
}

TEST(TaskDurationModelTest, RemainingNeverPassesTheTimeLimit) {
  std::vector<double> walls = {100 * kS};
  SurvivalCurve curve(walls, {});
  SplitMixRng rng(7);
  TaskDurationModel m = TaskDurationModel::Learned(&curve, seconds(30));
  EXPECT_EQ(m.DrawRemainingMicros(20 * kS, rng), 10 * kS);
  EXPECT_EQ(m.DrawRemainingMicros(40 * kS, rng), 0);  // past its limit: ends now
}

}  // namespace
}  // namespace allot
