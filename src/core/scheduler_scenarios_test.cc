// Scenario policies in the core (Scheduler::SetScenarioPolicy): a metric's decision moves the
// scenario's tasks or stops them in the same turn, elastic tasks get cores by promise, and a
// restarted scheduler given the journal's metrics decides the same.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/scheduler.h"
#include "testing/fake_launcher_driver.h"
#include "testing/task_builder.h"
#include "testing/test_machines.h"

namespace allot {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TaskSpec InScenario(TaskBuilder b, const std::string& scenario) {
  TaskSpec s = b;
  s.tags["scenario"] = scenario;
  return s;
}

ScenarioPolicySpec Asha() {
  ScenarioPolicySpec p;
  p.kind = ScenarioPolicySpec::Kind::kAsha;
  p.metric = "loss";
  p.reduction_factor = 2;
  p.grace = 1;
  return p;
}

ScenarioPolicySpec Promise() {
  ScenarioPolicySpec p;
  p.kind = ScenarioPolicySpec::Kind::kPromise;
  p.maximize = true;
  p.score = {{"acc", 1.0}};
  return p;
}

void Report(FakeLauncherDriver& d, const std::string& id, const std::string& name, double value,
            std::optional<int64_t> step = std::nullopt) {
  MetricPoint m;
  m.name = name;
  m.value = value;
  m.step = step;
  m.time_us = 1;
  d.scheduler().OnMetric(d.Live(id)->execution, m);
}

TEST(SchedulerScenariosTest, AshaStopsTheWorseScenarioItsQueuedAndRunningTasksWithTheReason) {
  FakeLauncherDriver d(FlatMachine(2));
  d.scheduler().SetScenarioPolicy(Asha());
  ASSERT_TRUE(d.Submit({InScenario(TaskBuilder("good-1"), "good"),
                        InScenario(TaskBuilder("bad-1"), "bad"),
                        InScenario(TaskBuilder("good-2"), "good"),
                        InScenario(TaskBuilder("bad-2"), "bad")})
                  .ok());
  d.Turn();
  ASSERT_TRUE(d.IsRunning("good-1") && d.IsRunning("bad-1"));
  Report(d, "good-1", "loss", 0.2, 1);  // first at rung 0: promoted
  Report(d, "bad-1", "loss", 0.9, 1);   // 2nd of 2, best 1 kept: stopped
  Outbox turn = d.Drain();
  ASSERT_EQ(turn.scenario_decisions.size(), 2u);
  EXPECT_EQ(turn.scenario_decisions[0].scenario, "good");
  EXPECT_EQ(turn.scenario_decisions[0].priority_offset, 1);
  EXPECT_TRUE(turn.scenario_decisions[1].stopped);
  EXPECT_EQ(turn.metrics.size(), 2u);
  EXPECT_EQ(d.State("bad-2"), TaskState::kCanceled);
  EXPECT_THAT(d.EventsOf("bad-2").back().reason, HasSubstr("asha: rung 0 (step 1)"));
  EXPECT_FALSE(d.EventsOf("bad-2").back().by_user);
  EXPECT_THAT(d.SignalsTo("bad-1"), ElementsAre(SIGTERM));
  d.Kill("bad-1", SIGTERM);
  EXPECT_EQ(d.State("bad-1"), TaskState::kCanceled);
  EXPECT_THAT(d.EventsOf("bad-1").back().reason, HasSubstr("stopped"));
  EXPECT_FALSE(d.EventsOf("bad-1").back().by_user);
  // The promoted scenario's next task runs at priority +1, and starts.
  d.Turn();
  EXPECT_TRUE(d.IsRunning("good-2"));
  EXPECT_EQ(d.scheduler().spec(d.Index("good-2")).priority, 1);
}

TEST(SchedulerScenariosTest, PromiseRunsTheBestScenariosQueuedTasksFirst) {
  FakeLauncherDriver d(FlatMachine(1));
  d.scheduler().SetScenarioPolicy(Promise());
  ASSERT_TRUE(d.Submit({InScenario(TaskBuilder("probe-a").Priority(1000), "a"),
                        InScenario(TaskBuilder("probe-b").Priority(1000), "b"),
                        InScenario(TaskBuilder("more-a"), "a"),
                        InScenario(TaskBuilder("more-b"), "b")})
                  .ok());
  d.Turn();
  Report(d, "probe-a", "acc", 0.3);
  d.Exit("probe-a", 0);
  d.Turn();
  Report(d, "probe-b", "acc", 0.9);
  d.Exit("probe-b", 0);
  d.Turn();
  EXPECT_TRUE(d.IsRunning("more-b")) << "b scored best: its task overtakes a's";
  EXPECT_EQ(d.scheduler().spec(d.Index("more-b")).priority, 100);
  EXPECT_EQ(d.scheduler().spec(d.Index("more-a")).priority, 0);
}

TEST(SchedulerScenariosTest, PromiseGivesElasticTasksCoresInProportionToTheScore) {
  FakeLauncherDriver d(FlatMachine(3));  // the probes take every core: the wide ones wait
  d.scheduler().SetScenarioPolicy(Promise());
  ASSERT_TRUE(d.Submit({InScenario(TaskBuilder("probe-a").Priority(10), "a"),
                        InScenario(TaskBuilder("probe-b").Priority(10), "b"),
                        InScenario(TaskBuilder("probe-c").Priority(10), "c"),
                        InScenario(TaskBuilder("wide-a").Cores(1, 5), "a"),
                        InScenario(TaskBuilder("wide-b").Cores(1, 5), "b"),
                        InScenario(TaskBuilder("wide-c").Cores(1, 5), "c")})
                  .ok());
  d.Turn();
  Report(d, "probe-a", "acc", 0.0);
  Report(d, "probe-b", "acc", 1.0);
  Report(d, "probe-c", "acc", 0.5);
  auto max_of = [&](const char* id) { return d.scheduler().spec(d.Index(id)).resources.cores.max; };
  EXPECT_EQ(max_of("wide-a"), 1);  // the worst: its minimum
  EXPECT_EQ(max_of("wide-b"), 5);  // the best: all it asked for
  EXPECT_EQ(max_of("wide-c"), 3);  // half way
  ASSERT_FALSE(d.IsRunning("wide-b"));
}

TEST(SchedulerScenariosTest, WhileEveryScoreIsEqualElasticTasksKeepWhatTheyAskedFor) {
  FakeLauncherDriver d(FlatMachine(2));
  d.scheduler().SetScenarioPolicy(Promise());
  ASSERT_TRUE(d.Submit({InScenario(TaskBuilder("probe-a").Priority(10), "a"),
                        InScenario(TaskBuilder("probe-b").Priority(10), "b"),
                        InScenario(TaskBuilder("wide-a").Cores(1, 5), "a")})
                  .ok());
  d.Turn();
  Report(d, "probe-a", "acc", 0.5);
  Report(d, "probe-b", "acc", 0.5);
  EXPECT_EQ(d.scheduler().spec(d.Index("wide-a")).resources.cores.max, 5);
}

TEST(SchedulerScenariosTest, APromotedScenariosWaitingTaskPreemptsLowPromiseWork) {
  using namespace std::chrono_literals;
  FakeLauncherDriver d(FlatMachine(2));
  d.scheduler().SetScenarioPolicy(Promise());
  ASSERT_TRUE(d.Submit({InScenario(TaskBuilder("low-1").Preemptible(), "low"),
                        InScenario(TaskBuilder("probe-high"), "high"),
                        InScenario(TaskBuilder("high-2"), "high")})
                  .ok());
  d.Turn();
  Report(d, "low-1", "acc", 0.1);
  Report(d, "probe-high", "acc", 0.9);
  d.Exit("probe-high", 0);
  d.Turn();
  ASSERT_TRUE(d.IsRunning("high-2"));
  ASSERT_TRUE(d.Submit({InScenario(TaskBuilder("high-3"), "high")}).ok());  // after the decision
  d.Turn();
  EXPECT_EQ(d.scheduler().spec(d.Index("high-3")).priority, 100) << "gets its scenario's offset";
  d.Advance(5min);  // preempt_after
  d.Turn();
  EXPECT_THAT(d.SignalsTo("low-1"), ElementsAre(SIGTERM));
  d.Kill("low-1", SIGTERM);
  d.Turn();
  EXPECT_TRUE(d.IsRunning("high-3"));
  EXPECT_EQ(d.State("low-1"), TaskState::kReady) << "preempted, runs again later";
}

TEST(SchedulerScenariosTest, ARestartedSchedulerGivenTheJournalsMetricsDecidesTheSame) {
  FakeLauncherDriver d(FlatMachine(1));
  d.scheduler().SetScenarioPolicy(Promise());
  ASSERT_TRUE(d.Submit({InScenario(TaskBuilder("probe-a").Priority(1000), "a"),
                        InScenario(TaskBuilder("probe-b").Priority(1000), "b"),
                        InScenario(TaskBuilder("more-a"), "a"),
                        InScenario(TaskBuilder("more-b"), "b")})
                  .ok());
  std::vector<MetricPoint> journaled;
  for (const char* id : {"probe-a", "probe-b"}) {
    d.Turn();
    Report(d, id, "acc", id[6] == 'a' ? 0.3 : 0.9);
    journaled.insert(journaled.end(), d.scheduler().outbox()->metrics.begin(),
                     d.scheduler().outbox()->metrics.end());
    d.Exit(id, 0);
  }
  ASSERT_TRUE(d.Restart().ok());
  d.scheduler().SetScenarioPolicy(Promise());
  // The finished probes' specs are briefs after a restart: their scenario comes from the caller.
  d.scheduler().RestoreMetrics(journaled, [](TaskIndex t) { return t == 0 ? "a" : "b"; });
  EXPECT_TRUE(d.Drain().scenario_decisions.empty()) << "decisions are not journaled again";
  d.Turn();
  EXPECT_TRUE(d.IsRunning("more-b"));
}

}  // namespace
}  // namespace allot
