// The arithmetic of process-tree sampling on made-up /proc contents: RSS sums and peaks, CPU
// and I/O counted once across reaping, peak cores over windows, memory limits, the schedule.
#include "exec/group_usage_sampler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "exec/proc_process_files.h"

namespace allot {
namespace {

using std::chrono::milliseconds;

struct FakeProc {
  pid_t ppid = 1;
  pid_t pgrp = 0;
  int64_t utime = 0, stime = 0, cutime = 0, cstime = 0;
  uint64_t starttime = 1;
  int64_t rss_pages = 0;
  std::optional<ProcIo> io;  // none: unreadable
};

std::string StatLine(pid_t pid, const FakeProc& p) {
  // The command name has a space and a parenthesis, as real ones may.
  return std::to_string(pid) + " (my (task)) S " + std::to_string(p.ppid) + " " +
         std::to_string(p.pgrp) + " 7 0 -1 4194304 100 0 0 0 " + std::to_string(p.utime) + " " +
         std::to_string(p.stime) + " " + std::to_string(p.cutime) + " " + std::to_string(p.cstime) +
         " 20 0 1 0 " + std::to_string(p.starttime) + " 123456789 " + std::to_string(p.rss_pages) +
         " 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1\n";
}

class FakeProcSource final : public ProcSource {
 public:
  void ListPids(std::vector<pid_t>* pids) override {
    pids->clear();
    for (const auto& [pid, p] : procs) pids->push_back(pid);
  }
  bool ReadStat(pid_t pid, std::string* text) override {
    auto it = procs.find(pid);
    if (it == procs.end()) return false;
    *text = StatLine(pid, it->second);
    return true;
  }
  bool ReadIo(pid_t pid, std::string* text) override {
    auto it = procs.find(pid);
    if (it == procs.end() || !it->second.io) return false;
    *text = "rchar: " + std::to_string(it->second.io->read_bytes) +
            "\nwchar: " + std::to_string(it->second.io->write_bytes) +
            "\nsyscr: 5\nsyscw: 6\nread_bytes: 0\nwrite_bytes: 0\ncancelled_write_bytes: 0\n";
    return true;
  }
  std::map<pid_t, FakeProc> procs;
};

class GroupUsageSamplerTest : public ::testing::Test {
 protected:
  GroupUsageSamplerTest() : sampler_(&proc_, Options()) {}
  static GroupUsageSamplerOptions Options() {
    GroupUsageSamplerOptions o;
    o.interval = std::chrono::seconds(1);
    o.page_bytes = 4096;
    o.ticks_per_second = 100;
    return o;
  }
  std::vector<pid_t> SampleAt(Duration after_start) {
    std::vector<pid_t> over;
    sampler_.Sample(t0_ + after_start, &over);
    return over;
  }

  FakeProcSource proc_;
  GroupUsageSampler sampler_;
  const TimePoint t0_ = TimePoint(std::chrono::seconds(1000));
};

TEST(ProcProcessFilesTest, StatFieldsAreFoundAfterTheLastParenthesisOfTheName) {
  FakeProc p{.ppid = 7,
             .pgrp = 42,
             .utime = 11,
             .stime = 12,
             .cutime = 13,
             .cstime = 14,
             .starttime = 99,
             .rss_pages = 321};
  ProcStat st;
  ASSERT_TRUE(ParseProcStat(StatLine(42, p), &st));
  EXPECT_EQ(st.pid, 42);
  EXPECT_EQ(st.state, 'S');
  EXPECT_EQ(st.ppid, 7);
  EXPECT_EQ(st.pgrp, 42);
  EXPECT_EQ(st.utime, 11);
  EXPECT_EQ(st.stime, 12);
  EXPECT_EQ(st.cutime, 13);
  EXPECT_EQ(st.cstime, 14);
  EXPECT_EQ(st.starttime, 99u);
  EXPECT_EQ(st.rss_pages, 321);
  EXPECT_FALSE(ParseProcStat("", &st));
  EXPECT_FALSE(ParseProcStat("12 (cut short) S 1 12 0", &st));
}

TEST(ProcProcessFilesTest, IoReadsRcharAndWchar) {
  ProcIo io;
  ASSERT_TRUE(ParseProcIo("rchar: 1234\nwchar: 5678\nsyscr: 1\nread_bytes: 4096\n", &io));
  EXPECT_EQ(io.read_bytes, 1234);
  EXPECT_EQ(io.write_bytes, 5678);
  EXPECT_FALSE(ParseProcIo("syscr: 1\n", &io));
}

TEST_F(GroupUsageSamplerTest, RssIsSummedOverTheGroupAndItsPeakKept) {
  proc_.procs[100] = {.pgrp = 100, .rss_pages = 1000};
  proc_.procs[101] = {.ppid = 100, .pgrp = 100, .rss_pages = 500};
  proc_.procs[200] = {.pgrp = 200, .rss_pages = 99999};  // another group, not tracked
  sampler_.Track(100, t0_, 0);
  SampleAt(milliseconds(50));
  proc_.procs[101].rss_pages = 100;
  SampleAt(milliseconds(100));
  GroupUsage u = sampler_.Untrack(100, nullptr);
  EXPECT_EQ(u.peak_rss_bytes, 1500 * 4096);
  EXPECT_EQ(u.samples, 2u);
}

TEST_F(GroupUsageSamplerTest, CpuOfAChildReapedByItsParentInTheGroupCountsOnce) {
  proc_.procs[100] = {.pgrp = 100, .utime = 10};
  proc_.procs[101] = {.ppid = 100, .pgrp = 100, .utime = 50, .stime = 5};
  sampler_.Track(100, t0_, 0);
  SampleAt(milliseconds(500));
  // The child used 30 more ticks, exited and was waited for: its total is in cutime now.
  proc_.procs.erase(101);
  proc_.procs[100].cutime = 80;
  proc_.procs[100].cstime = 5;
  SampleAt(milliseconds(1000));
  GroupUsage u = sampler_.Untrack(100, nullptr);
  EXPECT_EQ(u.user_cpu, milliseconds(900));
  EXPECT_EQ(u.sys_cpu, milliseconds(50));
}

TEST_F(GroupUsageSamplerTest, AProcessNobodyInTheGroupWaitedForKeepsItsLastValues) {
  proc_.procs[100] = {.pgrp = 100, .utime = 10};
  proc_.procs[101] = {.ppid = 1, .pgrp = 100, .utime = 50};  // orphaned: reparented outside
  sampler_.Track(100, t0_, 0);
  SampleAt(milliseconds(500));
  proc_.procs.erase(101);
  SampleAt(milliseconds(1000));
  EXPECT_EQ(sampler_.Untrack(100, nullptr).user_cpu, milliseconds(600));
}

TEST_F(GroupUsageSamplerTest, AReusedPidIsANewProcess) {
  proc_.procs[100] = {.pgrp = 100};
  proc_.procs[101] = {.ppid = 1, .pgrp = 100, .utime = 50, .starttime = 10};
  sampler_.Track(100, t0_, 0);
  SampleAt(milliseconds(500));
  // 101 exited unseen; a new process of the group got the same pid and has used 20 ticks.
  proc_.procs[101] = {.ppid = 1, .pgrp = 100, .utime = 20, .starttime = 60};
  SampleAt(milliseconds(1000));
  EXPECT_EQ(sampler_.Untrack(100, nullptr).user_cpu, milliseconds(700));
}

TEST_F(GroupUsageSamplerTest, PeakCoresIsCpuOverWallOfWindowsOfHalfASecondOrMore) {
  proc_.procs[100] = {.pgrp = 100, .utime = 5};
  sampler_.Track(100, t0_, 0);
  SampleAt(milliseconds(50));  // too short a window to say anything
  proc_.procs[100].utime = 50;
  SampleAt(milliseconds(500));  // 0.5 s of CPU in 0.5 s
  proc_.procs[100].utime = 250;
  SampleAt(milliseconds(1500));  // 2 s of CPU in 1 s: two threads
  proc_.procs[100].utime = 300;
  SampleAt(milliseconds(2500));
  EXPECT_DOUBLE_EQ(sampler_.Untrack(100, nullptr).peak_cores, 2.0);
}

TEST_F(GroupUsageSamplerTest, AGroupAboveItsMemoryLimitIsReportedOnce) {
  proc_.procs[100] = {.pgrp = 100, .rss_pages = 100};
  proc_.procs[300] = {.pgrp = 300, .rss_pages = 100};
  sampler_.Track(100, t0_, 200 * 4096);
  sampler_.Track(300, t0_, 0);  // no limit
  EXPECT_TRUE(SampleAt(milliseconds(50)).empty());
  proc_.procs[101] = {.ppid = 100, .pgrp = 100, .rss_pages = 101};
  proc_.procs[300].rss_pages = 1 << 20;
  EXPECT_EQ(SampleAt(milliseconds(100)), std::vector<pid_t>{100});
  EXPECT_TRUE(SampleAt(milliseconds(250)).empty());
}

TEST_F(GroupUsageSamplerTest, IoGainsAddUpAndTheLeadersFinalIoReplacesItsLastSample) {
  proc_.procs[100] = {.pgrp = 100, .io = ProcIo{1000, 2000}};
  proc_.procs[101] = {.ppid = 1, .pgrp = 100, .io = ProcIo{10, 20}};
  proc_.procs[102] = {.ppid = 100, .pgrp = 100};  // io unreadable: skipped
  sampler_.Track(100, t0_, 0);
  SampleAt(milliseconds(50));
  proc_.procs[101].io = ProcIo{30, 40};
  SampleAt(milliseconds(100));
  ProcIo final_leader{5000, 6000};
  GroupUsage u = sampler_.Untrack(100, &final_leader);
  EXPECT_EQ(u.read_bytes, 5030);
  EXPECT_EQ(u.write_bytes, 6040);
}

TEST_F(GroupUsageSamplerTest, ChildrenTheLeaderReapedAfterTheLastScanAreInItsFinalIoOnly) {
  proc_.procs[100] = {.pgrp = 100, .io = ProcIo{0, 0}};
  proc_.procs[101] = {.ppid = 100, .pgrp = 100, .io = ProcIo{0, 500}};
  proc_.procs[102] = {.ppid = 100, .pgrp = 100, .io = ProcIo{0, 70}};
  sampler_.Track(100, t0_, 0);
  SampleAt(milliseconds(50));
  // 101 wrote 500 more and was reaped by the leader; 102 is still there (reparented).
  proc_.procs.erase(101);
  proc_.procs[102].ppid = 1;
  ProcIo final_leader{0, 1000};
  EXPECT_EQ(sampler_.Untrack(100, &final_leader).write_bytes, 1070);
}

TEST_F(GroupUsageSamplerTest, AGroupNeverSampledGetsTheLeadersFinalIo) {
  sampler_.Track(100, t0_, 0);
  ProcIo final_leader{7, 8};
  GroupUsage u = sampler_.Untrack(100, &final_leader);
  EXPECT_EQ(u.read_bytes, 7);
  EXPECT_EQ(u.write_bytes, 8);
  EXPECT_EQ(u.samples, 0u);
  EXPECT_EQ(sampler_.tracked(), 0u);
  EXPECT_FALSE(sampler_.NextDue().has_value());
}

TEST_F(GroupUsageSamplerTest, SamplesComeFastAfterAStartThenEveryInterval) {
  proc_.procs[100] = {.pgrp = 100};
  EXPECT_FALSE(sampler_.NextDue().has_value());
  sampler_.Track(100, t0_, 0);
  std::vector<Duration> due;
  for (int i = 0; i < 7; ++i) {
    Duration at = *sampler_.NextDue() - t0_;
    due.push_back(at);
    SampleAt(at);
  }
  std::vector<Duration> expected = {milliseconds(50),  milliseconds(100),  milliseconds(250),
                                    milliseconds(500), milliseconds(1000), milliseconds(2000),
                                    milliseconds(3000)};
  EXPECT_EQ(due, expected);
}

TEST_F(GroupUsageSamplerTest, ScansAreAtLeastFiftyMillisecondsApart) {
  proc_.procs[100] = {.pgrp = 100};
  proc_.procs[300] = {.pgrp = 300};
  sampler_.Track(100, t0_, 0);
  SampleAt(milliseconds(50));
  sampler_.Track(300, t0_ + milliseconds(60), 0);  // due at 110 ms; 100 ms is due too
  EXPECT_EQ(*sampler_.NextDue() - t0_, milliseconds(100));
  SampleAt(milliseconds(100));
  EXPECT_EQ(*sampler_.NextDue() - t0_, milliseconds(150));  // 300's 110 ms, held back
}

TEST_F(GroupUsageSamplerTest, AChildInAnotherGroupCountsInItsParentsAttempt) {
  proc_.procs[100] = {.pgrp = 100, .utime = 10, .rss_pages = 100};
  // setsid'd by the leader, and its own child in the new session.
  proc_.procs[150] = {.ppid = 100, .pgrp = 150, .utime = 20, .starttime = 5, .rss_pages = 30};
  proc_.procs[160] = {.ppid = 150, .pgrp = 150, .utime = 30, .starttime = 6, .rss_pages = 7};
  proc_.procs[200] = {.pgrp = 200, .utime = 99, .rss_pages = 999};  // unrelated
  sampler_.Track(100, t0_, 0);
  SampleAt(milliseconds(50));
  EXPECT_EQ(sampler_.GroupOf(150, 5), 100);
  EXPECT_EQ(sampler_.GroupOf(160, 6), 100);
  EXPECT_FALSE(sampler_.GroupOf(160, 7).has_value()) << "another process with that pid";
  EXPECT_FALSE(sampler_.GroupOf(200, 1).has_value());
  std::vector<ProcessRef> outside;
  GroupUsage u = sampler_.Untrack(100, nullptr, &outside);
  EXPECT_EQ(u.peak_rss_bytes, 137 * 4096);
  EXPECT_EQ(u.user_cpu, milliseconds(600));
  ASSERT_EQ(outside.size(), 2u);
  std::sort(outside.begin(), outside.end(),
            [](const ProcessRef& a, const ProcessRef& b) { return a.pid < b.pid; });
  EXPECT_EQ(outside[0].pid, 150);
  EXPECT_EQ(outside[0].starttime, 5u);
  EXPECT_EQ(outside[1].pid, 160);
}

TEST_F(GroupUsageSamplerTest, AChildListedBeforeItsParentIsFoundToo) {
  proc_.procs[100] = {.pgrp = 100};
  // Pids wrapped: the grandchild's pid is below its parent's.
  proc_.procs[90] = {.ppid = 150, .pgrp = 150, .utime = 40, .starttime = 9};
  proc_.procs[150] = {.ppid = 100, .pgrp = 150, .utime = 10, .starttime = 8};
  sampler_.Track(100, t0_, 0);
  SampleAt(milliseconds(50));
  EXPECT_EQ(sampler_.GroupOf(90, 9), 100);
  EXPECT_EQ(sampler_.Untrack(100, nullptr).user_cpu, milliseconds(500));
}

TEST_F(GroupUsageSamplerTest, AProcessThatLeftTheGroupAndLostItsParentStillCounts) {
  proc_.procs[100] = {.pgrp = 100};
  proc_.procs[101] = {.ppid = 100, .pgrp = 100, .utime = 10, .starttime = 3};
  sampler_.Track(100, t0_, 0);
  SampleAt(milliseconds(50));
  // It called setsid and its parent died: re-parented to the subreaper, in no tracked group.
  proc_.procs[101] = {.ppid = 1, .pgrp = 101, .utime = 30, .starttime = 3};
  SampleAt(milliseconds(100));
  EXPECT_EQ(sampler_.GroupOf(101, 3), 100);
  std::vector<ProcessRef> outside;
  EXPECT_EQ(sampler_.Untrack(100, nullptr, &outside).user_cpu, milliseconds(300));
  ASSERT_EQ(outside.size(), 1u);
  EXPECT_EQ(outside[0].pid, 101);
}

TEST_F(GroupUsageSamplerTest, AnAdoptedProcessCountsWholeFromTheNextScan) {
  proc_.procs[100] = {.pgrp = 100, .utime = 10};
  proc_.procs[500] = {.pgrp = 500, .utime = 40, .starttime = 4, .rss_pages = 50};
  sampler_.Track(100, t0_, 0);
  SampleAt(milliseconds(50));
  EXPECT_FALSE(sampler_.GroupOf(500, 4).has_value());
  sampler_.Adopt(500, 4, 100);
  sampler_.Adopt(500, 4, 300);  // not tracked: no effect
  SampleAt(milliseconds(100));
  EXPECT_EQ(sampler_.GroupOf(500, 4), 100);
  GroupUsage u = sampler_.Untrack(100, nullptr);
  EXPECT_EQ(u.user_cpu, milliseconds(500));
  EXPECT_EQ(u.peak_rss_bytes, 50 * 4096);
}

}  // namespace
}  // namespace allot
