#include "worker/metrics_tail.h"

#include <poll.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace allot {
namespace {

class MetricsTailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("metrics_tail_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    tail_.set_log([this](const std::string& line) { log_.push_back(line); });
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path(const std::string& name) { return (dir_ / name).string(); }
  static void Append(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::app) << text;
  }
  bool Readable() {
    pollfd p{tail_.ReadyFd(), POLLIN, 0};
    return poll(&p, 1, 1000) == 1;
  }
  std::vector<RunMetric> Read() {
    std::vector<RunMetric> out;
    tail_.Read(77, &out);
    return out;
  }

  std::filesystem::path dir_;
  MetricsTail tail_;
  std::vector<std::string> log_;
};

TEST_F(MetricsTailTest, AWriteWakesTheOwnerAndEachCompleteLineIsAPoint) {
  const std::string path = Path("a.jsonl");
  ASSERT_TRUE(tail_.Watch(5, path).ok());
  ASSERT_GE(tail_.ReadyFd(), 0);
  EXPECT_TRUE(Read().empty());
  Append(path, R"({"name": "loss", "value": 0.5, "step": 1})" "\n" R"({"name": "lo)");
  ASSERT_TRUE(Readable());
  std::vector<RunMetric> got = Read();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].run, 5u);
  EXPECT_EQ(got[0].point.name, "loss");
  EXPECT_EQ(got[0].point.step, 1);
  EXPECT_EQ(got[0].point.time_us, 77);
  // The rest of the half-written line.
  Append(path, R"(ss", "value": 0.25, "step": 2})" "\n");
  ASSERT_TRUE(Readable());
  got = Read();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_DOUBLE_EQ(got[0].point.value, 0.25);
  EXPECT_TRUE(log_.empty());
}

TEST_F(MetricsTailTest, WatchStartsFromAnEmptyFileEvenWhenAnEarlierAttemptLeftOne) {
  const std::string path = Path("b.jsonl");
  Append(path, R"({"name": "old", "value": 1})" "\n");
  ASSERT_TRUE(tail_.Watch(1, path).ok());
  EXPECT_TRUE(Read().empty());
  EXPECT_EQ(std::filesystem::file_size(path), 0u);
}

TEST_F(MetricsTailTest, UnwatchReadsTheLastLinesIncludingOneWithoutNewline) {
  const std::string path = Path("c.jsonl");
  ASSERT_TRUE(tail_.Watch(9, path).ok());
  Append(path, R"({"name": "a", "value": 1})" "\n" R"({"name": "b", "value": 2})");
  std::vector<RunMetric> got;
  tail_.Unwatch(9, 5, &got);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].point.name, "b");
  EXPECT_FALSE(tail_.watching(9));
  Append(path, R"({"name": "c", "value": 3})" "\n");
  EXPECT_TRUE(Read().empty());  // no longer watched
}

TEST_F(MetricsTailTest, BadLinesAreSkippedAndLoggedWithFileAndLine) {
  const std::string path = Path("d.jsonl");
  ASSERT_TRUE(tail_.Watch(2, path).ok());
  Append(path, "hello\n" R"({"name": "ok", "value": 1})" "\n" R"({"name": "bad name", "value": 1})" "\n");
  ASSERT_TRUE(Readable());
  std::vector<RunMetric> got = Read();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].point.name, "ok");
  ASSERT_EQ(log_.size(), 2u);
  EXPECT_THAT(log_[0], ::testing::HasSubstr(path + ": line 1: not a JSON object"));
  EXPECT_THAT(log_[1], ::testing::HasSubstr("line 3: field 'name'"));
}

TEST_F(MetricsTailTest, AnOverLongLineIsSkippedAndTheNextOneCounts) {
  const std::string path = Path("e.jsonl");
  ASSERT_TRUE(tail_.Watch(3, path).ok());
  Append(path, std::string(MetricsTail::kMaxLineBytes + 10, 'x'));
  Append(path, std::string(100000, 'y') + "\n" R"({"name": "after", "value": 4})" "\n");
  std::vector<RunMetric> got = Read();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].point.name, "after");
  ASSERT_EQ(log_.size(), 1u);
  EXPECT_THAT(log_[0], ::testing::HasSubstr("line 1 is over 64 KiB"));
}

TEST_F(MetricsTailTest, SeveralAttemptsAreKeptApart) {
  ASSERT_TRUE(tail_.Watch(1, Path("x.jsonl")).ok());
  ASSERT_TRUE(tail_.Watch(2, Path("y.jsonl")).ok());
  Append(Path("y.jsonl"), R"({"name": "y", "value": 2})" "\n");
  Append(Path("x.jsonl"), R"({"name": "x", "value": 1})" "\n");
  std::vector<RunMetric> got = Read();
  ASSERT_EQ(got.size(), 2u);
  for (const RunMetric& m : got) EXPECT_EQ(m.point.name, m.run == 1 ? "x" : "y");
}

}  // namespace
}  // namespace allot
