#include "monitor/system_sampler.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "testing/fake_clock.h"

namespace allot {
namespace {

class SystemSamplerFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "allot_monitor_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    paths_.stat = dir_ + "/stat";
    paths_.meminfo = dir_ + "/meminfo";
    paths_.loadavg = dir_ + "/loadavg";
    Write(paths_.meminfo, "MemTotal: 2048 kB\nMemAvailable: 1024 kB\n");
    Write(paths_.loadavg, "1.00 0.50 0.25 2/300 4000\n");
  }
  void TearDown() override {
    for (const std::string* p : {&paths_.stat, &paths_.meminfo, &paths_.loadavg}) {
      std::remove(p->c_str());
    }
    ::rmdir(dir_.c_str());
  }
  static void Write(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::trunc) << text;
  }

  std::string dir_;
  SystemSampler::Paths paths_;
  FakeClock clock_;
};

TEST_F(SystemSamplerFilesTest, ReadsAllThreeFilesAndStampsTheSample) {
  Write(paths_.stat, "cpu 10 0 10 80 0 0 0 0 0 0\ncpu0 10 0 10 80 0 0 0 0 0 0\n");
  SystemSampler sampler(paths_, &clock_);
  Result<SystemSample> s = sampler.Sample();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->taken_at, clock_.Now());
  ASSERT_EQ(s->cpu.cpus.size(), 1u);
  EXPECT_EQ(s->cpu.all.idle, 80u);
  EXPECT_EQ(s->memory.total_bytes, 2048 * 1024);
  EXPECT_EQ(s->memory.available_bytes, 1024 * 1024);
  EXPECT_DOUBLE_EQ(s->load.one_minute, 1.0);
  EXPECT_EQ(s->load.threads, 300);
}

TEST_F(SystemSamplerFilesTest, TwoSamplesGiveUtilization) {
  SystemSampler sampler(paths_, &clock_);
  Write(paths_.stat, "cpu 0 0 0 0\ncpu0 0 0 0 0\ncpu1 0 0 0 0\n");
  Result<SystemSample> a = sampler.Sample();
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  clock_.Advance(std::chrono::seconds(1));
  Write(paths_.stat, "cpu 100 0 0 100\ncpu0 100 0 0 0\ncpu1 0 0 0 100\n");
  Result<SystemSample> b = sampler.Sample();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->taken_at - a->taken_at, std::chrono::seconds(1));
  CpuUtilizationReport u = CpuUtilization(a->cpu, b->cpu);
  EXPECT_DOUBLE_EQ(u.all, 0.5);
  ASSERT_EQ(u.cores.size(), 2u);
  EXPECT_DOUBLE_EQ(u.cores[0].busy, 1.0);
  EXPECT_DOUBLE_EQ(u.cores[1].busy, 0.0);
}

TEST_F(SystemSamplerFilesTest, FilesLargerThanTheInitialBufferAreReadWhole) {
  // A many-core machine: /proc/stat is well over the initial 16 KiB buffer.
  std::string text = "cpu 1 2 3 4 5 6 7 8 0 0\n";
  for (int i = 0; i < 1024; ++i) text += "cpu" + std::to_string(i) + " 1 2 3 4 5 6 7 8 0 0\n";
  text += "intr 1\n";
  Write(paths_.stat, text);
  SystemSampler sampler(paths_, &clock_);
  Result<SystemSample> s = sampler.Sample();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->cpu.cpus.size(), 1024u);
  EXPECT_EQ(s->cpu.cpus.back().cpu, 1023);
  // The grown buffer is reused for the short files after it.
  EXPECT_EQ(s->load.runnable, 2);
}

TEST_F(SystemSamplerFilesTest, MissingFileIsIoErrorNamingThePath) {
  Write(paths_.stat, "cpu 1 2 3 4\n");
  paths_.meminfo = dir_ + "/does-not-exist";
  SystemSampler sampler(paths_, &clock_);
  Result<SystemSample> s = sampler.Sample();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kIoError);
  EXPECT_NE(s.status().message().find("does-not-exist"), std::string::npos) << s.status().message();
}

TEST_F(SystemSamplerFilesTest, MalformedFileIsCorruption) {
  Write(paths_.stat, "cpu one two three four\n");
  SystemSampler sampler(paths_, &clock_);
  Result<SystemSample> s = sampler.Sample();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kCorruption);
  EXPECT_NE(s.status().message().find("/proc/stat"), std::string::npos) << s.status().message();
}

// The real /proc: sane ranges only, no timing assertions.
TEST(SystemSamplerProcTest, SamplesTheRealProcTwice) {
  SystemSampler sampler;
  Result<SystemSample> a = sampler.Sample();
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  Result<SystemSample> b = sampler.Sample();
  ASSERT_TRUE(b.ok()) << b.status().ToString();

  EXPECT_GE(b->cpu.cpus.size(), 1u);
  EXPECT_GT(b->cpu.all.Total(), 0u);
  EXPECT_GE(b->taken_at, a->taken_at);

  EXPECT_GT(b->memory.total_bytes, 0);
  EXPECT_GE(b->memory.available_bytes, 0);
  EXPECT_LE(b->memory.available_bytes, b->memory.total_bytes);

  EXPECT_GE(b->load.one_minute, 0.0);
  EXPECT_GE(b->load.runnable, 1);  // at least this thread
  EXPECT_GE(b->load.threads, b->load.runnable);

  CpuUtilizationReport u = CpuUtilization(a->cpu, b->cpu);
  EXPECT_GE(u.all, 0.0);
  EXPECT_LE(u.all, 1.0);
  EXPECT_LE(u.cores.size(), b->cpu.cpus.size());
  for (const CoreUtilization& c : u.cores) {
    EXPECT_GE(c.busy, 0.0) << "cpu" << c.cpu;
    EXPECT_LE(c.busy, 1.0) << "cpu" << c.cpu;
  }
}

// Prints (does not assert) the cost of one Sample() of the real /proc.
TEST(SystemSamplerProcTest, ReportsTheCostOfOneSample) {
  SystemSampler sampler;
  ASSERT_TRUE(sampler.Sample().ok());  // warm the buffer
  constexpr int kCalls = 1000;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kCalls; ++i) {
    Result<SystemSample> s = sampler.Sample();
    ASSERT_TRUE(s.ok()) << s.status().ToString();
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  const double us_per_call = std::chrono::duration<double, std::micro>(elapsed).count() / kCalls;
  std::printf(
      "[ cost     ] SystemSampler::Sample(): %.1f us per call over %d calls (%ld CPUs); "
      "at 1 Hz that is %.4f%% of one core\n",
      us_per_call, kCalls, ::sysconf(_SC_NPROCESSORS_ONLN), us_per_call / 1e6 * 100);
  RecordProperty("sample_cost_us", std::to_string(us_per_call));
}

}  // namespace
}  // namespace allot
