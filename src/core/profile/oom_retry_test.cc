#include "core/profile/oom_retry.h"

#include <gtest/gtest.h>

#include <limits>

namespace allot {
namespace {

constexpr int64_t kMiB = int64_t{1} << 20;
constexpr int64_t kGiB = int64_t{1} << 30;

TEST(OomRetryTest, DoublesWhenThePeakSaysLess) {
  EXPECT_EQ(NextMemoryAfterOom(1 * kGiB, 1 * kGiB, 64 * kGiB), 2 * kGiB);
}

TEST(OomRetryTest, FollowsThePeakWhenItSaysMoreThanDoubling) {
  // The limit was raised outside (or the peak came from a sibling): 1.25 x 4 GiB = 5 GiB.
  EXPECT_EQ(NextMemoryAfterOom(1 * kGiB, 4 * kGiB, 64 * kGiB), 5 * kGiB);
}

TEST(OomRetryTest, RoundsUpTo64MiB) {
  EXPECT_EQ(NextMemoryAfterOom(100 * kMiB, 0, 64 * kGiB), 256 * kMiB);    // 200 -> 256
  EXPECT_EQ(NextMemoryAfterOom(0, 1000 * kMiB, 64 * kGiB), 1280 * kMiB);  // 1250 -> 1280
}

TEST(OomRetryTest, CapsAtTheUsersCap) {
  EXPECT_EQ(NextMemoryAfterOom(3 * kGiB, 3 * kGiB, 5 * kGiB), 5 * kGiB);
  EXPECT_EQ(NextMemoryAfterOom(5 * kGiB - 1, 0, 5 * kGiB), 5 * kGiB);
}

TEST(OomRetryTest, NoneWhenAlreadyAtOrAboveTheCap) {
  EXPECT_FALSE(NextMemoryAfterOom(5 * kGiB, 5 * kGiB, 5 * kGiB));
  EXPECT_FALSE(NextMemoryAfterOom(6 * kGiB, 0, 5 * kGiB));
}

TEST(OomRetryTest, AlwaysGrowsEvenFromNothing) {
  EXPECT_EQ(NextMemoryAfterOom(0, 0, 64 * kGiB), 64 * kMiB);
  EXPECT_EQ(NextMemoryAfterOom(0, 0, 1), 1);  // a tiny cap still grows, to the cap
}

TEST(OomRetryTest, HugeValuesSaturateAtTheCapInsteadOfOverflowing) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(NextMemoryAfterOom(kMax / 2 + 1, kMax - 1, kMax), kMax);
  EXPECT_EQ(NextMemoryAfterOom(0, kMax, kMax), kMax);
}

}  // namespace
}  // namespace allot
