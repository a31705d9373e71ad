#include "report/svg_chart.h"

#include <gtest/gtest.h>

namespace allot {
namespace {

TEST(XmlEscapeTest, EscapesMarkupAndQuotes) {
  EXPECT_EQ(XmlEscape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
}

TEST(NiceTicksTest, StepsAreOneTwoOrFiveTimesAPowerOfTenAndCoverTheMax) {
  EXPECT_EQ(NiceTicks(10, 5), (std::vector<double>{0, 2, 4, 6, 8, 10}));
  EXPECT_EQ(NiceTicks(7, 5), (std::vector<double>{0, 2, 4, 6, 8}));
  EXPECT_EQ(NiceTicks(0.03, 3), (std::vector<double>{0, 0.01, 0.02, 0.03}));
  EXPECT_EQ(NiceTicks(0, 5), (std::vector<double>{0, 1}));
}

TEST(TimeTicksTest, FallOnRoundUtcBoundariesInsideTheSpan) {
  const int64_t s = 1'000'000;
  const int64_t base = 1714521600LL * s;  // midnight
  std::vector<int64_t> ticks = TimeTicks(base + 7 * s, base + 67 * s, 8);
  ASSERT_FALSE(ticks.empty());
  EXPECT_EQ(ticks.front(), base + 10 * s);  // 10 s steps
  EXPECT_EQ(ticks.back(), base + 60 * s);
  EXPECT_LE(ticks.size(), 8u);
  EXPECT_EQ(TimeTickLabel(base + 10 * s, 60 * s), "00:00:10");
  EXPECT_EQ(TimeTickLabel(base + 3600 * s, 7200 * s), "01:00");
  EXPECT_EQ(TimeTickLabel(base, 5 * 86400 * s), "05-01 00:00");
}

TEST(CompactNumberTest, KeepsLabelsShort) {
  EXPECT_EQ(CompactNumber(0), "0");
  EXPECT_EQ(CompactNumber(0.0042), "0.0042");
  EXPECT_EQ(CompactNumber(12.5), "12.5");
  EXPECT_EQ(CompactNumber(3), "3");
  EXPECT_EQ(CompactNumber(1234), "1,234");
}

}  // namespace
}  // namespace allot
