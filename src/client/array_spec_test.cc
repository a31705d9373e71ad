#include "client/array_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace allot {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ArraySpecTest, RangeIsInclusive) {
  auto indices = ParseArraySpec("1-5");
  ASSERT_TRUE(indices.ok());
  EXPECT_THAT(*indices, ElementsAre(1, 2, 3, 4, 5));
  EXPECT_EQ(ParseArraySpec("1-1000")->size(), 1000u);
}

TEST(ArraySpecTest, SteppedRangeStopsAtOrBeforeItsEnd) {
  EXPECT_THAT(*ParseArraySpec("0-10:3"), ElementsAre(0, 3, 6, 9));
  EXPECT_THAT(*ParseArraySpec("1-100:50"), ElementsAre(1, 51));
}

TEST(ArraySpecTest, ListsAndMixedItemsKeepTheOrderWritten) {
  EXPECT_THAT(*ParseArraySpec("7,1,5"), ElementsAre(7, 1, 5));
  EXPECT_THAT(*ParseArraySpec("1-3,10-30:10,0"), ElementsAre(1, 2, 3, 10, 20, 30, 0));
  EXPECT_THAT(*ParseArraySpec("4"), ElementsAre(4));
}

TEST(ArraySpecTest, MalformedItemsAreRejectedNamingTheFlagAndItem) {
  for (const char* bad : {"", "a", "1-", "-3", "1-5:", "1-5:x", "1,,2", "1-2-3", "1.5", " 1"}) {
    auto indices = ParseArraySpec(bad);
    EXPECT_EQ(indices.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(indices.status().message(), HasSubstr("--array")) << bad;
  }
}

TEST(ArraySpecTest, BackwardRangeZeroStepAndDuplicatesAreRejected) {
  EXPECT_THAT(ParseArraySpec("5-1").status().message(), HasSubstr("ends before it starts"));
  EXPECT_THAT(ParseArraySpec("1-5:0").status().message(), HasSubstr("step"));
  EXPECT_THAT(ParseArraySpec("1-5,3").status().message(), HasSubstr("index 3 appears twice"));
}

TEST(ArraySpecTest, TooManyIndicesAreRejected) {
  EXPECT_TRUE(ParseArraySpec("1-1000000").ok());
  EXPECT_THAT(ParseArraySpec("0-1000000").status().message(), HasSubstr("more than"));
}

}  // namespace
}  // namespace allot
