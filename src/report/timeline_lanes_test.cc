#include "report/timeline_lanes.h"

#include <gtest/gtest.h>

namespace allot {
namespace {

TEST(PackIntoLanesTest, OverlapsGetTheirOwnLanesAndFreedLanesAreReusedLowestFirst) {
  //  a [0,10)  b [2,5)  c [5,8)  d [6,12)  e [10,11)
  const std::vector<int> lanes = PackIntoLanes({{0, 10}, {2, 5}, {5, 8}, {6, 12}, {10, 11}});
  EXPECT_EQ(lanes, (std::vector<int>{0, 1, 1, 2, 0}));
}

TEST(PackIntoLanesTest, InputOrderDoesNotMatterOnlyStarts) {
  EXPECT_EQ(PackIntoLanes({{5, 8}, {0, 10}, {2, 5}}), (std::vector<int>{1, 0, 1}));
  EXPECT_TRUE(PackIntoLanes({}).empty());
}

}  // namespace
}  // namespace allot
