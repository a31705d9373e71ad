// Scheduler::Stop: graceful (SIGTERM, SIGKILL after each attempt's grace period) and at once
// (SIGKILL); attempts that end because of it are preempted; nothing new starts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <string>
#include <vector>

#include "core/scheduler.h"
#include "testing/fake_launcher_driver.h"
#include "testing/task_builder.h"
#include "testing/test_machines.h"

namespace allot {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

std::vector<std::pair<std::string, int>> Signals(const FakeLauncherDriver& d, const Outbox& turn) {
  std::vector<std::pair<std::string, int>> out;
  for (const SignalOrder& s : turn.signals) {
    out.emplace_back(d.scheduler().spec(TaskOfExecution(s.execution)).id, s.signal);
  }
  return out;
}

class SchedulerStopTest : public ::testing::Test {
 protected:
  SchedulerStopTest() : d_(FlatMachine(2)) {
    EXPECT_TRUE(
        d_.Submit({TaskBuilder("short-grace").Grace(3s), TaskBuilder("long-grace").Grace(7s),
                   TaskBuilder("queued"), TaskBuilder("after").DependsOn({"short-grace"})})
            .ok());
    d_.Turn();
  }
  FakeLauncherDriver d_;
};

TEST_F(SchedulerStopTest, GracefulStopSendsSigtermToAllThenSigkillAfterEachGracePeriod) {
  Outbox stop = d_.Stop(false);
  EXPECT_THAT(Signals(d_, stop),
              UnorderedElementsAre(std::pair<std::string, int>{"short-grace", SIGTERM},
                                   std::pair<std::string, int>{"long-grace", SIGTERM}));
  EXPECT_TRUE(d_.scheduler().stopping());
  EXPECT_THAT(d_.Advance(3s - 1us).signals, IsEmpty());
  EXPECT_THAT(Signals(d_, d_.Advance(1us)),
              ElementsAre(std::pair<std::string, int>{"short-grace", SIGKILL}));
  EXPECT_THAT(Signals(d_, d_.Advance(4s)),
              ElementsAre(std::pair<std::string, int>{"long-grace", SIGKILL}));
  EXPECT_THAT(d_.SignalsTo("short-grace"), ElementsAre(SIGTERM, SIGKILL));
}

TEST_F(SchedulerStopTest, AttemptsEndedByStopArePreemptedAndNothingNewStarts) {
  d_.Stop(false);
  d_.Kill("short-grace", SIGTERM);
  EXPECT_EQ(d_.State("short-grace"), TaskState::kPreempted);
  EXPECT_EQ(d_.EventsOf("short-grace").back().reason, "allot was stopped while it ran");
  EXPECT_TRUE(d_.Turn().launches.empty()) << "a freed CPU must not start 'queued'";
  EXPECT_FALSE(d_.scheduler().Done());
  d_.Exit("long-grace", 143);
  EXPECT_EQ(d_.State("long-grace"), TaskState::kPreempted);
  EXPECT_TRUE(d_.Turn().launches.empty());
  EXPECT_TRUE(d_.scheduler().Done()) << "stopping and nothing runs any more";
  EXPECT_EQ(d_.State("queued"), TaskState::kReady);
  EXPECT_EQ(d_.WhyWaiting("queued"), "allot is stopping");
  EXPECT_EQ(d_.State("after"), TaskState::kWaiting);
}

// A task that checkpoints and exits 0 on SIGTERM has not finished its work: whatever an
// attempt told to stop exits with, it is preempted and runs again after a restart.
TEST_F(SchedulerStopTest, AttemptThatExitsCleanlyAfterStopIsPreemptedNotSucceeded) {
  d_.Stop(false);
  d_.Exit("short-grace", 0);
  EXPECT_EQ(d_.State("short-grace"), TaskState::kPreempted);
  EXPECT_EQ(d_.State("after"), TaskState::kWaiting);
  EXPECT_TRUE(d_.Turn().launches.empty());
}

TEST_F(SchedulerStopTest, StopAtOnceSendsSigkillOnly) {
  Outbox stop = d_.Stop(true);
  EXPECT_THAT(Signals(d_, stop),
              UnorderedElementsAre(std::pair<std::string, int>{"short-grace", SIGKILL},
                                   std::pair<std::string, int>{"long-grace", SIGKILL}));
  d_.Kill("short-grace", SIGKILL);
  d_.Kill("long-grace", SIGKILL);
  EXPECT_EQ(d_.State("short-grace"), TaskState::kPreempted);
  EXPECT_EQ(d_.State("long-grace"), TaskState::kPreempted);
  EXPECT_TRUE(d_.scheduler().Done());
  EXPECT_THAT(d_.Advance(1h).signals, IsEmpty());
}

TEST_F(SchedulerStopTest, SecondGracefulStopDoesNotSignalAgain) {
  d_.Stop(false);
  EXPECT_THAT(d_.Stop(false).signals, IsEmpty());
}

TEST_F(SchedulerStopTest, StopAtOnceAfterGracefulStopEscalatesToSigkill) {
  d_.Stop(false);
  Outbox now = d_.Stop(true);
  EXPECT_THAT(Signals(d_, now),
              UnorderedElementsAre(std::pair<std::string, int>{"short-grace", SIGKILL},
                                   std::pair<std::string, int>{"long-grace", SIGKILL}));
}

TEST_F(SchedulerStopTest, PreemptedAttemptIsNotCountedAsAFailure) {
  d_.Stop(true);
  d_.Kill("short-grace", SIGKILL);
  EXPECT_NE(d_.State("short-grace"), TaskState::kFailed);
  EXPECT_NE(d_.State("after"), TaskState::kSkipped);
}

TEST(SchedulerStopRetryTest, TaskInRetryBackoffStaysWaitingAfterStop) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(d.Submit({TaskBuilder("a").Retries(2, 5s)}).ok());
  d.Turn();
  d.Exit("a", 1);
  ASSERT_EQ(d.State("a"), TaskState::kWaiting);
  d.Stop(false);
  d.Advance(10s);
  EXPECT_EQ(d.State("a"), TaskState::kWaiting) << "no retry once stopping";
  EXPECT_TRUE(d.Turn().launches.empty());
  EXPECT_TRUE(d.scheduler().Done());
}

TEST(SchedulerStopRetryTest, TimedOutAttemptStoppedDuringItsGraceIsStillKilled) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(d.Submit({TaskBuilder("a").TimeLimit(10s).Grace(5s)}).ok());
  d.Turn();
  d.Advance(10s);  // SIGTERM for the time limit
  EXPECT_THAT(d.Stop(false).signals, IsEmpty()) << "SIGTERM was already sent";
  d.Advance(5s);
  EXPECT_EQ(d.SignalsTo("a").front(), SIGTERM);
  EXPECT_EQ(d.SignalsTo("a").back(), SIGKILL);
}

}  // namespace
}  // namespace allot
