#include "model/task_spec.h"

#include <gtest/gtest.h>

namespace allot {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

TEST(RetryBackoffTest, GrowsByFactorFromInitial) {
  RetryBackoff b{seconds(1), 2.0, minutes(10)};
  EXPECT_EQ(b.DelayBeforeRetry(1), seconds(1));
  EXPECT_EQ(b.DelayBeforeRetry(2), seconds(2));
  EXPECT_EQ(b.DelayBeforeRetry(3), seconds(4));
  EXPECT_EQ(b.DelayBeforeRetry(5), seconds(16));
}

TEST(RetryBackoffTest, CapsAtMaxWithoutOverflow) {
  RetryBackoff b{seconds(1), 2.0, minutes(10)};
  EXPECT_EQ(b.DelayBeforeRetry(11), minutes(10));
  EXPECT_EQ(b.DelayBeforeRetry(100000), minutes(10));
}

TEST(RetryBackoffTest, FactorOneIsConstantAndRetryZeroCountsAsFirst) {
  RetryBackoff b{seconds(5), 1.0, seconds(5)};
  EXPECT_EQ(b.DelayBeforeRetry(1), seconds(5));
  EXPECT_EQ(b.DelayBeforeRetry(7), seconds(5));
  RetryBackoff c{seconds(3), 2.0, minutes(1)};
  EXPECT_EQ(c.DelayBeforeRetry(0), seconds(3));
}

}  // namespace
}  // namespace allot
