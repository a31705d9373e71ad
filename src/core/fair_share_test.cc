// Fair share (core/fair_share.h) and the scheduler's use of it: two projects with weights 2:1
// competing for the cores get 2:1 of the core-hours, whatever their tasks' lengths.
#include "core/fair_share.h"

#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <random>
#include <string>

#include "core/scheduler.h"
#include "testing/fake_launcher_driver.h"
#include "testing/task_builder.h"
#include "testing/test_machines.h"

namespace allot {
namespace {

using namespace std::chrono_literals;

TEST(FairShareTest, FactorIsTwoToTheMinusUsageShareOverShareWithDecay) {
  FairShare fs({{"a", 2}, {"b", 1}}, 1h);
  const TimePoint t0{Duration(0)};
  std::vector<ProjectShare> rows = fs.Table(t0);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_DOUBLE_EQ(rows[0].share, 2.0 / 3);
  EXPECT_DOUBLE_EQ(rows[0].factor, 1.0) << "no usage yet";
  fs.Charge("a", 200, t0);
  fs.Charge("b", 100, t0);
  rows = fs.Table(t0);
  EXPECT_DOUBLE_EQ(rows[0].factor, 0.5) << "exactly at its share";
  EXPECT_DOUBLE_EQ(rows[1].factor, 0.5);
  rows = fs.Table(t0 + 1h);  // one half-life later
  EXPECT_DOUBLE_EQ(rows[0].usage, 100);
  fs.Charge("b", 200, t0 + 1h);  // b: 50 + 200 = 250 against a's 100
  rows = fs.Table(t0 + 1h);
  EXPECT_NEAR(rows[1].usage_share, 250.0 / 350, 1e-12);
  EXPECT_GT(rows[0].factor, rows[1].factor);
  fs.Add("c");  // a new project counts with weight 1
  EXPECT_DOUBLE_EQ(fs.Table(t0 + 1h)[0].share, 2.0 / 4);
}

// Runs the campaign on the fake launcher, each task lasting what `length` says; returns the
// core-seconds per project of the attempts that ended while both projects still had tasks
// waiting.
std::map<std::string, double> RunContended(FakeLauncherDriver& d,
                                           const std::map<std::string, Duration>& length) {
  std::map<std::string, double> used;
  std::map<ExecutionId, TimePoint> ends;
  d.Turn();
  while (!d.live().empty()) {
    for (const auto& [e, l] : d.live()) {
      if (!ends.count(e)) {
        const std::string& id = d.scheduler().id(l.task);
        ends[e] = d.clock().Now() + length.at(id.substr(0, 1));
      }
    }
    auto next = std::min_element(ends.begin(), ends.end(),
                                 [](const auto& a, const auto& b) { return a.second < b.second; });
    const ExecutionId e = next->first;
    const TaskIndex t = TaskOfExecution(e);
    const std::string id = d.scheduler().id(t);
    const Duration wall = length.at(id.substr(0, 1));
    d.Advance(next->second - d.clock().Now());
    ends.erase(next);
    AttemptUsage u;
    u.exit_code = 0;
    u.wall = wall;
    bool both_waiting = d.scheduler().counts()[static_cast<int>(TaskState::kReady)] > 0;
    for (const char* p : {"a", "b"}) {
      bool any = false;
      for (TaskIndex i = 0; i < d.scheduler().task_count(); ++i) {
        if (d.scheduler().id(i)[0] == p[0] && d.scheduler().state(i) == TaskState::kReady) any = true;
      }
      both_waiting = both_waiting && any;
    }
    if (both_waiting) used[id.substr(0, 1)] += ToSeconds(wall);
    d.ExitExecution(e, u);
    d.Turn();
  }
  return used;
}

TEST(SchedulerFairShareTest, TwoProjectsWeighted2To1Get2To1OfTheCoreHours) {
  SchedulerOptions options;
  options.share_weights = {{"a", 2}, {"b", 1}};
  options.share_half_life = 24h;
  FakeLauncherDriver d(FlatMachine(8), options);
  std::vector<TaskSpec> tasks;
  for (int i = 0; i < 400; ++i) {
    // b first in the file: first come, first served alone would give b everything first.
    TaskSpec b = TaskBuilder("b-" + std::to_string(i)).Build();
    b.tags["project"] = "b";
    tasks.push_back(b);
  }
  for (int i = 0; i < 1500; ++i) {
    TaskSpec a = TaskBuilder("a-" + std::to_string(i)).Build();
    a.tags["project"] = "a";
    tasks.push_back(a);
  }
  ASSERT_TRUE(d.Submit(tasks).ok());
  // b's tasks are 5x as long as a's: counting tasks would be far from core-hours.
  std::map<std::string, double> used = RunContended(d, {{"a", 2s}, {"b", 10s}});
  ASSERT_GT(used["a"], 0);
  ASSERT_GT(used["b"], 0);
  const double ratio = used["a"] / used["b"];
  std::cout << "core-seconds while both waited: a " << used["a"] << ", b " << used["b"] << " (" << ratio << ":1)\n";
  EXPECT_NEAR(ratio, 2.0, 0.1) << "within 5% of 2:1: " "a " << used["a"] << " core-s, b " << used["b"] << " core-s";
  std::vector<ProjectShare> table = d.scheduler().FairShareTable();
  ASSERT_EQ(table.size(), 2u);
  EXPECT_EQ(table[0].project, "a");
  EXPECT_DOUBLE_EQ(table[0].weight, 2);
}

TEST(SchedulerFairShareTest, PriorityStillComesFirst) {
  SchedulerOptions options;
  options.share_weights = {{"a", 100}, {"b", 1}};
  FakeLauncherDriver d(FlatMachine(1), options);
  TaskSpec a = TaskBuilder("a-1").Build();
  a.tags["project"] = "a";
  TaskSpec b = TaskBuilder("b-1").Priority(5).Build();
  b.tags["project"] = "b";
  ASSERT_TRUE(d.Submit({a, b}).ok());
  d.Turn();
  EXPECT_TRUE(d.IsRunning("b-1"));
}

}  // namespace
}  // namespace allot
