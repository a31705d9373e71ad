#include "report/report_time.h"

#include <gtest/gtest.h>

#include <ctime>

namespace allot {
namespace {

constexpr int64_t kNow = 1714521600LL * 1'000'000;  // 2024-05-01T00:00:00Z

TEST(ParseSinceTest, ReadsUtcDatesWithATrailingZ) {
  EXPECT_EQ(*ParseSince("2024-05-01Z", 0), kNow);
  EXPECT_EQ(*ParseSince("2024-05-01T08:30Z", 0), kNow + 8LL * 3600'000'000 + 30LL * 60'000'000);
  EXPECT_EQ(*ParseSince("2024-05-01 08:30:15Z", 0),
            kNow + 8LL * 3600'000'000 + 30LL * 60'000'000 + 15'000'000);
}

TEST(ParseSinceTest, ReadsDatesWithoutZInLocalTime) {
  std::tm tm{};
  tm.tm_year = 124;
  tm.tm_mon = 4;
  tm.tm_mday = 1;
  tm.tm_hour = 8;
  tm.tm_isdst = -1;
  EXPECT_EQ(*ParseSince("2024-05-01T08:00", 0), static_cast<int64_t>(std::mktime(&tm)) * 1'000'000);
}

TEST(ParseSinceTest, ReadsADurationAsThatLongBeforeNow) {
  EXPECT_EQ(*ParseSince("3d", kNow), kNow - 3LL * 86400'000'000);
  EXPECT_EQ(*ParseSince("90min", kNow), kNow - 90LL * 60'000'000);
  EXPECT_EQ(*ParseSince("1h30m", kNow), kNow - 90LL * 60'000'000);
}

TEST(ParseSinceTest, RejectsMalformedAndImpossibleDatesSayingWhatIsAccepted) {
  for (const char* bad : {"", "yesterday", "2024-13-01", "2024-02-30", "2024-05-01T25:00",
                          "2024-5-1", "2024-05-01T08", "2024-05-01X", "-3d"}) {
    Result<int64_t> since = ParseSince(bad, kNow);
    ASSERT_FALSE(since.ok()) << bad;
    EXPECT_EQ(since.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(since.status().message().find("expected a date"), std::string::npos) << bad;
  }
}

TEST(FormatUtcTimestampTest, PrintsIso8601InUtcToTheSecond) {
  EXPECT_EQ(FormatUtcTimestamp(kNow + 3'723'900'000), "2024-05-01T01:02:03Z");
}

}  // namespace
}  // namespace allot
