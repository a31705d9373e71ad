// ProgressForecast and the progress line's ETA: from the forecast model, not from the rate of
// the tasks done so far (issue 11: short tasks first made "ETA 714ms" with 9 s left).
#include "server/progress_forecast.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "server/progress_reporter.h"
#include "testing/fake_launcher_driver.h"
#include "testing/task_builder.h"
#include "testing/test_machines.h"

namespace allot {
namespace {

using namespace std::chrono_literals;

// One core: three quick preparation tasks done, three 10 s simulations to go.
class ProgressForecastTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<TaskSpec> specs;
    for (int i = 1; i <= 3; ++i) specs.push_back(TaskBuilder("prep-" + std::to_string(i)));
    for (int i = 1; i <= 3; ++i) {
      TaskSpec sim = TaskBuilder("sim-" + std::to_string(i)).Estimate(10s);
      specs.push_back(sim);
    }
    ASSERT_TRUE(d_.Submit(specs).ok());
    d_.Turn();
    for (int i = 1; i <= 3; ++i) {
      d_.Advance(100ms);
      d_.Exit("prep-" + std::to_string(i), 0);
      d_.Turn();
    }
  }

  FakeLauncherDriver d_{FlatMachine(1, 8 * kGiB)};
};

TEST_F(ProgressForecastTest, TimeLeftComesFromTheForecastAndCountsDown) {
  ProgressForecast forecast;
  const TimePoint now = d_.clock().Now();
  EXPECT_FALSE(forecast.Left(now).has_value()) << "nothing forecast yet";
  forecast.Update(d_.scheduler(), now);
  forecast.Wait();
  std::optional<ProgressForecast::Remaining> left = forecast.Left(now);
  ASSERT_TRUE(left.has_value());
  // sim-1 has just started; three 10 s estimates one after the other on the one core.
  EXPECT_EQ(left->p50, 30s);
  EXPECT_EQ(left->p90, 30s);
  EXPECT_EQ(forecast.Left(now + 4s)->p50, 26s);
  EXPECT_EQ(forecast.Left(now + 1h)->p50, 0s);
}

TEST_F(ProgressForecastTest, TheProgressLineShowsTheForecastNotTheRateSoFar) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  const TimePoint start = d_.clock().Now() - 300ms;
  ProgressReporter reporter(out, ProgressMode::kPlain, start);
  ProgressForecast forecast;
  ProgressSnapshot snap;
  snap.counts = d_.scheduler().counts();
  snap.total = 6;
  snap.now = start + 10s;  // the first plain line is due
  forecast.Update(d_.scheduler(), d_.clock().Now());
  forecast.Wait();
  std::optional<ProgressForecast::Remaining> left = forecast.Left(d_.clock().Now());
  ASSERT_TRUE(left.has_value());
  snap.left_p50 = left->p50;
  snap.left_p90 = left->p90;
  reporter.Update(snap);
  std::rewind(out);
  char buf[512] = {};
  ASSERT_NE(std::fgets(buf, sizeof buf, out), nullptr);
  std::fclose(out);
  const std::string line = buf;
  // 3 of 6 done in 0.3 s would say 0.3 s left; the forecast says 30 s.
  EXPECT_NE(line.find("ETA 30s"), std::string::npos) << line;
}

TEST(ProgressForecastNoHistoryTest, NoForecastWhileNothingCanSayHowLongATaskTakes) {
  FakeLauncherDriver d(FlatMachine(1, 8 * kGiB));
  ASSERT_TRUE(d.Submit({TaskBuilder("a"), TaskBuilder("b")}).ok());
  d.Turn();
  ProgressForecast forecast;
  forecast.Update(d.scheduler(), d.clock().Now());
  forecast.Wait();
  EXPECT_FALSE(forecast.Left(d.clock().Now()).has_value());
}

}  // namespace
}  // namespace allot
