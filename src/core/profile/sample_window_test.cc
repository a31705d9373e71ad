#include "core/profile/sample_window.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <vector>

#include "common/rng.h"

namespace allot {
namespace {

using ::testing::ElementsAre;

TEST(SampleWindowTest, QuantilesInterpolateBetweenClosestRanks) {
  SampleWindow w(16);
  for (double v : {40.0, 10.0, 30.0, 20.0}) w.Add(v);
  EXPECT_DOUBLE_EQ(w.Quantile(0.0), 10);
  EXPECT_DOUBLE_EQ(w.Quantile(0.5), 25);
  EXPECT_DOUBLE_EQ(w.Quantile(0.9), 37);
  EXPECT_DOUBLE_EQ(w.Quantile(1.0), 40);
  EXPECT_DOUBLE_EQ(w.Min(), 10);
  EXPECT_DOUBLE_EQ(w.Max(), 40);
  EXPECT_DOUBLE_EQ(w.Mean(), 25);
}

TEST(SampleWindowTest, OneValueIsEveryQuantile) {
  SampleWindow w(4);
  w.Add(7);
  EXPECT_DOUBLE_EQ(w.Quantile(0.01), 7);
  EXPECT_DOUBLE_EQ(w.Quantile(0.99), 7);
}

TEST(SampleWindowTest, FullWindowForgetsTheOldestValueFirst) {
  SampleWindow w(3);
  for (double v : {5.0, 1.0, 9.0, 2.0}) w.Add(v);  // 5 goes
  EXPECT_THAT(w.sorted(), ElementsAre(1, 2, 9));
  w.Add(3);  // 1 goes
  EXPECT_THAT(w.sorted(), ElementsAre(2, 3, 9));
  EXPECT_EQ(w.size(), 3u);
}

TEST(SampleWindowTest, MatchesANaiveSlidingWindowOnRandomInput) {
  for (uint64_t seed : {1, 2, 3}) {
    SCOPED_TRACE(seed);
    SplitMixRng rng(seed);
    SampleWindow w(50);
    std::deque<double> naive;
    for (int i = 0; i < 2000; ++i) {
      double v = static_cast<double>(rng.Uniform(100));  // many duplicates on purpose
      w.Add(v);
      naive.push_back(v);
      if (naive.size() > 50) naive.pop_front();
      std::vector<double> sorted(naive.begin(), naive.end());
      std::sort(sorted.begin(), sorted.end());
      ASSERT_EQ(w.sorted(), sorted) << "after " << i;
    }
  }
}

// Adds are merged in batches: windows larger than a batch, queried rarely, must still hold
// exactly the last `capacity` values.
TEST(SampleWindowTest, MatchesANaiveSlidingWindowWhenQueriedRarely) {
  for (size_t capacity : {1u, 7u, 64u, 65u, 1000u}) {
    SCOPED_TRACE(capacity);
    SplitMixRng rng(capacity);
    SampleWindow w(capacity);
    std::deque<double> naive;
    for (int i = 0; i < 5000; ++i) {
      double v = static_cast<double>(rng.Uniform(300));
      w.Add(v);
      naive.push_back(v);
      if (naive.size() > capacity) naive.pop_front();
      if (i % 97 != 96) continue;
      std::vector<double> sorted(naive.begin(), naive.end());
      std::sort(sorted.begin(), sorted.end());
      ASSERT_EQ(w.sorted(), sorted) << "after " << i;
      ASSERT_EQ(w.size(), sorted.size());
      ASSERT_DOUBLE_EQ(w.Max(), sorted.back());
    }
  }
}

}  // namespace
}  // namespace allot
