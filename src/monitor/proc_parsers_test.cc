#include "monitor/proc_parsers.h"

#include <gtest/gtest.h>

#include <string>

namespace allot {
namespace {

// A 4-CPU machine as a 6.x kernel prints it (10 counters per line, then the other lines).
constexpr std::string_view kProcStat =
    "cpu  2255847 1123 512399 98765432 43210 0 10233 0 0 0\n"
    "cpu0 563961 281 128099 24691358 10802 0 8500 0 0 0\n"
    "cpu1 563962 280 128100 24691358 10803 0 578 0 0 0\n"
    "cpu2 563962 281 128100 24691358 10802 0 577 0 0 0\n"
    "cpu3 563962 281 128100 24691358 10803 0 578 0 0 0\n"
    "intr 161226442 9 0 0 0 0 0 0 0 1 0 0 0 0 0 0 0 33 0 0 0 0 0\n"
    "ctxt 297543245\n"
    "btime 1700000000\n"
    "processes 1234567\n"
    "procs_running 3\n"
    "procs_blocked 0\n"
    "softirq 51246124 0 12340567 123 4567890 0 0 1234 23456789 0 10000000\n";

constexpr std::string_view kMeminfo =
    "MemTotal:       16318320 kB\n"
    "MemFree:         1234567 kB\n"
    "MemAvailable:    9876543 kB\n"
    "Buffers:          345678 kB\n"
    "Cached:          6543210 kB\n"
    "HugePages_Total:       0\n"
    "Hugepagesize:       2048 kB\n";

TEST(ParseProcStatTest, ReadsAggregateAndEveryCpu) {
  Result<NodeCpuStat> r = ParseProcStat(kProcStat);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->all.cpu, -1);
  EXPECT_EQ(r->all.user, 2255847u);
  EXPECT_EQ(r->all.nice, 1123u);
  EXPECT_EQ(r->all.system, 512399u);
  EXPECT_EQ(r->all.idle, 98765432u);
  EXPECT_EQ(r->all.iowait, 43210u);
  EXPECT_EQ(r->all.irq, 0u);
  EXPECT_EQ(r->all.softirq, 10233u);
  EXPECT_EQ(r->all.steal, 0u);
  ASSERT_EQ(r->cpus.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(r->cpus[i].cpu, i);
  EXPECT_EQ(r->cpus[0].softirq, 8500u);
  EXPECT_EQ(r->cpus[3].iowait, 10803u);
}

TEST(ParseProcStatTest, OfflineCpusLeaveGapsInIds) {
  Result<NodeCpuStat> r = ParseProcStat(
      "cpu  10 0 10 100 0 0 0 0 0 0\n"
      "cpu0 5 0 5 50 0 0 0 0 0 0\n"
      "cpu2 5 0 5 50 0 0 0 0 0 0\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->cpus.size(), 2u);
  EXPECT_EQ(r->cpus[0].cpu, 0);
  EXPECT_EQ(r->cpus[1].cpu, 2);
}

TEST(ParseProcStatTest, OldKernelsWithFourCountersAreAccepted) {
  Result<NodeCpuStat> r = ParseProcStat("cpu 1 2 3 4\ncpu0 1 2 3 4\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->all.idle, 4u);
  EXPECT_EQ(r->all.iowait, 0u);
  EXPECT_EQ(r->all.steal, 0u);
}

TEST(ParseProcStatTest, NoTrailingNewlineIsFine) {
  Result<NodeCpuStat> r = ParseProcStat("cpu 1 2 3 4 5 6 7 8");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->all.steal, 8u);
  EXPECT_TRUE(r->cpus.empty());
}

TEST(ParseProcStatTest, MalformedTextIsCorruptionNamingTheFile) {
  for (std::string_view text : {
           std::string_view(""),
           std::string_view("intr 1 2 3\nctxt 4\n"),         // no cpu line
           std::string_view("cpu 1 2 x 4\n"),                // not a number
           std::string_view("cpu 1 2 3\n"),                  // too few counters
           std::string_view("cpu 1 2 3 4\ncpuX 1 2 3 4\n"),  // bad label
           std::string_view("cpu 1 2 3 4\ncpu0 1 2 3 -4\n"),
           std::string_view("cpu 1 2 3 4\ncpu 1 2 3 4\n"),
           std::string_view("cpu 1 2 3 4\ncpu1 1 2 3 4\ncpu0 1 2 3 4\n"),
           std::string_view("cpu 1 2 3 4 5 6 7 8 9 junk\n"),
           std::string_view("cpu 99999999999999999999999 2 3 4\n"),  // overflows uint64
       }) {
    Result<NodeCpuStat> r = ParseProcStat(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << text;
    EXPECT_NE(r.status().message().find("/proc/stat"), std::string::npos) << r.status().message();
  }
}

TEST(ParseMeminfoTest, ReadsTotalAndAvailableInBytes) {
  Result<MemoryInfo> r = ParseMeminfo(kMeminfo);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->total_bytes, int64_t{16318320} * 1024);
  EXPECT_EQ(r->available_bytes, int64_t{9876543} * 1024);
}

TEST(ParseMeminfoTest, MalformedTextIsCorruptionNamingTheFile) {
  for (std::string_view text : {
           std::string_view(""),
           std::string_view("MemTotal: 100 kB\n"),  // no MemAvailable (kernel < 3.14)
           std::string_view("MemAvailable: 100 kB\n"),
           std::string_view("MemTotal: lots kB\nMemAvailable: 100 kB\n"),
           std::string_view("MemTotal: 100 MB\nMemAvailable: 100 kB\n"),
           std::string_view("MemTotal: 100\nMemAvailable: 100 kB\n"),
           std::string_view("MemTotal: -100 kB\nMemAvailable: 100 kB\n"),
       }) {
    Result<MemoryInfo> r = ParseMeminfo(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << text;
    EXPECT_NE(r.status().message().find("/proc/meminfo"), std::string::npos)
        << r.status().message();
  }
}

TEST(ParseLoadavgTest, ReadsAveragesAndTaskCounts) {
  Result<LoadAverage> r = ParseLoadavg("0.52 1.58 12.59 3/1234 56789\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_DOUBLE_EQ(r->one_minute, 0.52);
  EXPECT_DOUBLE_EQ(r->five_minutes, 1.58);
  EXPECT_DOUBLE_EQ(r->fifteen_minutes, 12.59);
  EXPECT_EQ(r->runnable, 3);
  EXPECT_EQ(r->threads, 1234);
}

TEST(ParseLoadavgTest, MalformedTextIsCorruptionNamingTheFile) {
  for (std::string_view text : {
           std::string_view(""),
           std::string_view("0.52 0.58\n"),
           std::string_view("0.52 abc 0.59 1/2 3\n"),
           std::string_view("0.52 0.58 0.59 12 3\n"),
           std::string_view("0.52 0.58 0.59 1/x 3\n"),
           std::string_view("-1 0.58 0.59 1/2 3\n"),
       }) {
    Result<LoadAverage> r = ParseLoadavg(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << text;
    EXPECT_NE(r.status().message().find("/proc/loadavg"), std::string::npos)
        << r.status().message();
  }
}

}  // namespace
}  // namespace allot
