#include "common/end_time.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace allot {
namespace {

constexpr int64_t kNow = 1764730800LL * 1000000;  // 2025-12-03T03:00:00Z

TEST(EndTimeTest, PlusADurationIsFromNow) {
  EXPECT_EQ(*ParseEndTime("+2h", kNow), kNow + 2LL * 3600 * 1000000);
  EXPECT_EQ(*ParseEndTime("+90s", kNow), kNow + 90LL * 1000000);
}

TEST(EndTimeTest, DigitsAreEpochSecondsAsSlurmExportsThem) {
  EXPECT_EQ(*ParseEndTime("1764734400", kNow), 1764734400LL * 1000000);
}

TEST(EndTimeTest, ADateWithZIsUtc) {
  EXPECT_EQ(*ParseEndTime("2025-12-03T04:00:00Z", kNow), 1764734400LL * 1000000);
  EXPECT_EQ(*ParseEndTime("2025-12-03T04:00Z", kNow), 1764734400LL * 1000000);
}

TEST(EndTimeTest, ADateWithoutZIsLocalTime) {
  setenv("TZ", "UTC+2", 1);  // POSIX: two hours behind UTC
  tzset();
  EXPECT_EQ(*ParseEndTime("2025-12-03T02:00:00", kNow), 1764734400LL * 1000000);
  unsetenv("TZ");
  tzset();
}

TEST(EndTimeTest, AnythingElseSaysWhichFormsAreAccepted) {
  for (const char* bad : {"", "+", "+soon", "tomorrow", "2025-13-03T04:00", "2025-12-03",
                          "2025-12-03T04:00:00+01:00", "12345678901234"}) {
    Result<int64_t> r = ParseEndTime(bad, kNow);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("expected +DURATION"), std::string::npos) << bad;
  }
}

}  // namespace
}  // namespace allot
