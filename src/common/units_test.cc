#include "common/units.h"

#include <gtest/gtest.h>

namespace allot {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

Duration D(std::string_view text) {
  Result<Duration> r = ParseDuration(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : Duration(-1);
}

int64_t S(std::string_view text) {
  Result<int64_t> r = ParseSize(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : -1;
}

TEST(ParseDurationTest, BareNumberIsSeconds) {
  EXPECT_EQ(D("90"), seconds(90));
  EXPECT_EQ(D("0"), seconds(0));
  EXPECT_EQ(D("1.5"), milliseconds(1500));
  EXPECT_EQ(D("  42 "), seconds(42));
}

TEST(ParseDurationTest, UnitsAndCombinations) {
  EXPECT_EQ(D("90s"), seconds(90));
  EXPECT_EQ(D("10min"), minutes(10));
  EXPECT_EQ(D("10m"), minutes(10));
  EXPECT_EQ(D("1h30m"), minutes(90));
  EXPECT_EQ(D("1h 30m 15s"), minutes(90) + seconds(15));
  EXPECT_EQ(D("1.5h"), minutes(90));
  EXPECT_EQ(D("2d"), hours(48));
  EXPECT_EQ(D("250ms"), milliseconds(250));
  EXPECT_EQ(D("3hr"), hours(3));
  EXPECT_EQ(D("5sec"), seconds(5));
  EXPECT_EQ(D("2H"), hours(2));
}

TEST(ParseDurationTest, ClockForms) {
  EXPECT_EQ(D("01:30:00"), minutes(90));
  EXPECT_EQ(D("05:30"), minutes(5) + seconds(30));
  EXPECT_EQ(D("90:00"), minutes(90));
  EXPECT_EQ(D("1-02:00:00"), hours(26));
}

TEST(ParseDurationTest, RejectsNegativeEmptyAndGarbageWithHelp) {
  for (std::string_view bad : {"", "  ", "-5", "-1h", "abc", "5 parsecs", "1m30", "1:2:3:4",
                               "00:61", "1-5:00", "1.2.3s", "h"}) {
    Result<Duration> r = ParseDuration(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("1h30m"), std::string::npos) << r.status().message();
  }
}

TEST(ParseDurationTest, RejectsOverflow) { EXPECT_FALSE(ParseDuration("99999999999999d").ok()); }

TEST(ParseSizeTest, BytesAndBinaryUnits) {
  EXPECT_EQ(S("1048576"), 1048576);
  EXPECT_EQ(S("2G"), 2LL << 30);
  EXPECT_EQ(S("512MiB"), 512LL << 20);
  EXPECT_EQ(S("512MB"), 512LL << 20);
  EXPECT_EQ(S("1.5g"), 3LL << 29);
  EXPECT_EQ(S("4k"), 4096);
  EXPECT_EQ(S("1T"), 1LL << 40);
  EXPECT_EQ(S("2 GiB"), 2LL << 30);
  EXPECT_EQ(S("100B"), 100);
  EXPECT_EQ(S("0"), 0);
}

TEST(ParseSizeTest, RejectsBadInput) {
  for (std::string_view bad : {"", "-1G", "2X", "G", "1.5", "2Gb2", "lots"}) {
    Result<int64_t> r = ParseSize(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
}

TEST(FormatDurationTest, ShortForms) {
  EXPECT_EQ(FormatDuration(milliseconds(45)), "45ms");
  EXPECT_EQ(FormatDuration(milliseconds(12345)), "12.3s");
  EXPECT_EQ(FormatDuration(seconds(5)), "5s");
  EXPECT_EQ(FormatDuration(minutes(4) + seconds(5)), "4m05s");
  EXPECT_EQ(FormatDuration(hours(2) + minutes(1)), "2h01m");
  EXPECT_EQ(FormatDuration(hours(76)), "3d04h");
  EXPECT_EQ(FormatDuration(Duration(7)), "7us");
  EXPECT_EQ(FormatDuration(-seconds(5)), "-5s");
}

TEST(FormatDurationTest, OutputParsesBack) {
  for (Duration d : {Duration(milliseconds(45)), Duration(seconds(5)), Duration(minutes(4)),
                     Duration(hours(2) + minutes(1)), Duration(hours(76))}) {
    EXPECT_EQ(D(FormatDuration(d)), d) << FormatDuration(d);
  }
}

TEST(FormatSizeTest, ShortForms) {
  EXPECT_EQ(FormatSize(512), "512 B");
  EXPECT_EQ(FormatSize(3LL << 29), "1.5 GiB");
  EXPECT_EQ(FormatSize(2LL << 30), "2 GiB");
  EXPECT_EQ(FormatSize(4096), "4 KiB");
  EXPECT_EQ(FormatSize(1LL << 40), "1 TiB");
  EXPECT_EQ(S(FormatSize(3LL << 29)), 3LL << 29);
}

TEST(CountedTest, OneIsSingularEverythingElsePlural) {
  EXPECT_EQ(Counted(1, "core"), "1 core");
  EXPECT_EQ(Counted(2, "core"), "2 cores");
  EXPECT_EQ(Counted(0, "GPU"), "0 GPUs");
}

}  // namespace
}  // namespace allot
