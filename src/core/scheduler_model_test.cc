// Randomized model-based test: random DAGs, exits, timer advances, stops and restarts, driven
// into the real Scheduler (through FakeLauncherDriver) and into ReferenceScheduler side by side.
// Checked at every step:
//  - no oversubscription, exact free amounts (FakeLauncherDriver, after every drain);
//  - every event is an allowed transition from the state the journal so far implies, and the
//    events are exactly the state changes (FakeLauncherDriver); so a terminal task never changes;
//  - dependency order, attempt + 1 on every start, the queue head left waiting does not fit
//    (ReferenceScheduler::Scheduled);
//  - every task's state and attempt counter equal the reference's after each input;
//  - signals (time limits, grace periods, stops) are exactly the reference's;
//  - journal replay == live state: Recover() of everything journaled so far, at random points
//    and at the end, equals the reference's prediction of a restart; and real restarts
//    continue the run from the recovered scheduler.
// Seeds: ALLOT_TEST_SEED=<n> runs that one; otherwise a fixed list. A failure prints its seed.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "common/rng.h"
#include "core/scheduler.h"
#include "testing/fake_launcher_driver.h"
#include "testing/reference_scheduler.h"
#include "testing/task_builder.h"
#include "testing/test_machines.h"

namespace allot {
namespace {

using namespace std::chrono_literals;

std::vector<uint64_t> Seeds() {
  if (const char* env = std::getenv("ALLOT_TEST_SEED"); env != nullptr && *env != '\0') {
    return {std::strtoull(env, nullptr, 10)};
  }
  std::vector<uint64_t> seeds;
  for (uint64_t s = 1; s <= 60; ++s) seeds.push_back(s);
  return seeds;
}

Machine TestMachine() {
  Machine m = NumaMachine(1, 2, 4, 16 * kGiB);  // 8 CPUs in 2 NUMA nodes
  m.gpus = {0, 1};
  m.custom = {{"lic", 2}};
  return m;
}

// What the runs exercised, printed once per test so a weakened generator shows.
struct Coverage {
  int64_t tasks = 0, launches = 0, signals = 0, restarts = 0, replays = 0, stops = 0, refused = 0;
  std::array<int64_t, kTaskStateCount> transitions_to{};
};

class Run {
 public:
  Run(uint64_t seed, SchedulerOptions options)
      : rng_(seed), d_(TestMachine(), options), ref_(TestMachine(), options) {}

  void AddTo(Coverage* c) const {
    c->tasks += static_cast<int64_t>(d_.submissions().size());
    c->launches += static_cast<int64_t>(d_.launches().size());
    c->signals += static_cast<int64_t>(d_.signals().size());
    c->restarts += restarts_;
    c->replays += replays_;
    c->stops += stops_;
    c->refused += refused_;
    for (const TaskEvent& e : d_.events()) ++c->transitions_to[static_cast<int>(e.to)];
  }

  void Go(int steps) {
    for (int step = 0; step < steps && !::testing::Test::HasFailure(); ++step) {
      const uint64_t dice = rng_.Uniform(1000);
      if (dice < 300) {
        Turn();
      } else if (dice < 580) {
        ExitOne();
      } else if (dice < 600) {
        LaunchFailOne();
      } else if (dice < 780) {
        Advance(Duration(static_cast<int64_t>(rng_.Uniform(15'000'001))));
      } else if (dice < 840) {
        AdvanceToNextDeadline();
      } else if (dice < 920) {
        if (!ref_.stopping() && ref_.task_count() < 160) Submit();
      } else if (dice < 940) {
        Restart();
      } else if (dice < 985) {
        CheckReplay();
      } else if (dice < 988) {
        Stop(rng_.Uniform(3) == 0);
      } else {
        Turn();
      }
    }
    if (::testing::Test::HasFailure()) return;
    Finish();
    CheckReplay();
  }

 private:
  void Check() { ref_.ExpectMatches(d_.scheduler()); }

  void Turn() {
    Outbox turn = d_.Turn();
    ref_.Scheduled(turn, d_.scheduler().pool().free(), d_.clock().Now());
    Check();
  }

  std::vector<ExecutionId> Live() const { return ref_.Live(); }

  void ExitOne() {
    std::vector<ExecutionId> live = Live();
    if (live.empty()) return;
    const ExecutionId exec = live[rng_.Uniform(live.size())];
    AttemptUsage usage;
    const uint64_t how = rng_.Uniform(20);
    if (how < 15) {
      usage.exit_code = 0;
    } else if (how < 19) {
      usage.exit_code = 1 + static_cast<int>(rng_.Uniform(3));
    } else {
      usage.exit_code = -1;
      usage.term_signal = SIGKILL;
    }
    usage.user_cpu = Duration(static_cast<int64_t>(rng_.Uniform(1'000'000)));
    Outbox turn = d_.ExitExecution(exec, usage);
    ref_.Exited(exec, usage, d_.clock().Now(), turn);
    Check();
  }

  void LaunchFailOne() {
    std::vector<ExecutionId> live = Live();
    if (live.empty()) return;
    const ExecutionId exec = live[rng_.Uniform(live.size())];
    Outbox turn = d_.LaunchFailed(d_.scheduler().spec(TaskOfExecution(exec)).id,
                                  Status::IoError("exec format error"));
    ref_.LaunchFailed(exec, d_.clock().Now(), turn);
    Check();
  }

  void Advance(Duration by) {
    Outbox turn = d_.Advance(by);
    ref_.TimersDue(d_.clock().Now(), turn);
    Check();
  }

  void AdvanceToNextDeadline() {
    std::optional<TimePoint> next = d_.scheduler().NextDeadline();
    if (!next) return;
    Advance(std::max(Duration(0), *next - d_.clock().Now()));
  }

  void Stop(bool kill_now) {
    ++stops_;
    Outbox turn = d_.Stop(kill_now);
    ref_.Stopped(kill_now, d_.clock().Now(), turn);
    Check();
  }

  void Restart() {
    ++restarts_;
    Status s = d_.Restart();
    ASSERT_TRUE(s.ok()) << s.ToString();
    ref_.Restarted(d_.last_turn());
    Check();
  }

  // Journal replay == live state, without disturbing the run.
  void CheckReplay() {
    ++replays_;
    Scheduler replayed(&d_.clock(), d_.machine(), d_.options());
    Status s = replayed.Recover(d_.submissions(), d_.events());
    ASSERT_TRUE(s.ok()) << s.ToString();
    ref_.ExpectRecoveredMatches(replayed);
    EXPECT_EQ(replayed.totals().attempts_ended, d_.scheduler().totals().attempts_ended);
    EXPECT_EQ(replayed.totals().cpu, d_.scheduler().totals().cpu);
    // The recovered scheduler is a working one: what it settled is consistent.
    for (const TaskEvent& e : replayed.outbox()->events) {
      EXPECT_TRUE(CanTransition(e.from, e.to));
    }
  }

  TaskSpec RandomTask(const std::string& id, const std::vector<std::string>& earlier) {
    TaskBuilder b(id);
    const uint64_t size = rng_.Uniform(10);
    if (size < 7) {
      b.Cores(1 + static_cast<int>(rng_.Uniform(2)));
    } else if (size < 9) {
      b.Cores(3 + static_cast<int>(rng_.Uniform(6)));
    } else {
      const int min = 1 + static_cast<int>(rng_.Uniform(3));
      b.Cores(min, min + 1 + static_cast<int>(rng_.Uniform(static_cast<uint64_t>(8 - min))));
    }
    if (rng_.Uniform(2) == 0) b.Memory(static_cast<int64_t>(1 + rng_.Uniform(6)) * kGiB);
    if (rng_.Uniform(7) == 0) b.Gpus(1 + static_cast<int>(rng_.Uniform(2)));
    if (rng_.Uniform(7) == 0) b.Custom("lic", 1);
    b.Priority(static_cast<int>(rng_.Uniform(5)) - 2);
    const int retries = static_cast<int>(rng_.Uniform(3));
    const Duration initial = rng_.Uniform(3) == 0
                                 ? Duration(0)
                                 : Duration(static_cast<int64_t>(1 + rng_.Uniform(5)) * 1'000'000);
    b.Retries(retries, initial, 2.0, 20s);
    if (rng_.Uniform(3) == 0)
      b.TimeLimit(Duration(static_cast<int64_t>(5 + rng_.Uniform(56)) * 1'000'000));
    if (rng_.Uniform(3) == 0)
      b.Estimate(Duration(static_cast<int64_t>(1 + rng_.Uniform(60)) * 1'000'000));
    b.Grace(Duration(static_cast<int64_t>(1 + rng_.Uniform(5)) * 1'000'000));
    std::vector<std::string> deps;
    if (!earlier.empty()) {
      const uint64_t n = rng_.Uniform(4);
      for (uint64_t k = 0; k < n; ++k) {
        const std::string& d = earlier[rng_.Uniform(earlier.size())];
        if (std::find(deps.begin(), deps.end(), d) == deps.end()) deps.push_back(d);
      }
    }
    b.DependsOn(deps);
    return b;
  }

  void Submit() {
    // Dependencies point to earlier tasks in a random topological order; the batch is then
    // shuffled, so some point forward within it.
    std::vector<std::string> earlier = ref_.ids();
    std::vector<TaskSpec> batch;
    const uint64_t n = 1 + rng_.Uniform(8);
    for (uint64_t i = 0; i < n; ++i) {
      const std::string id = "t" + std::to_string(next_id_++);
      batch.push_back(RandomTask(id, earlier));
      earlier.push_back(id);
    }
    for (size_t i = batch.size(); i > 1; --i) std::swap(batch[i - 1], batch[rng_.Uniform(i)]);
    // Sometimes break the batch, in one of the ways that must be refused.
    if (rng_.Uniform(8) == 0) {
      TaskSpec& victim = batch[rng_.Uniform(batch.size())];
      switch (rng_.Uniform(5)) {
        case 0:
          if (!ref_.ids().empty()) victim.id = ref_.ids()[rng_.Uniform(ref_.ids().size())];
          break;
        case 1:
          victim.depends_on.push_back("no-such-task");
          break;
        case 2:
          victim.resources.cores = {9, 9};
          break;
        case 3:
          victim.resources.gpus = 3;
          break;
        case 4:
          victim.depends_on.push_back(victim.id);  // a cycle of one
          break;
      }
    }
    const bool accept = ref_.WouldAccept(batch);
    Status s = d_.Submit(batch);
    EXPECT_EQ(s.ok(), accept) << s.ToString();
    if (!s.ok()) {
      ++refused_;
      Check();
      return;
    }
    ref_.Submitted(batch, d_.last_turn());
    Check();
  }

  // No more input but exits and time: every task must end (no starvation, no task forgotten).
  void Finish() {
    for (int round = 0; round < 5000 && !d_.scheduler().Done(); ++round) {
      Turn();
      for (ExecutionId exec : Live()) {
        AttemptUsage usage;
        usage.exit_code = rng_.Uniform(10) == 0 ? 1 : 0;
        Outbox turn = d_.ExitExecution(exec, usage);
        ref_.Exited(exec, usage, d_.clock().Now(), turn);
        Check();
      }
      if (Live().empty()) {
        std::optional<TimePoint> next = d_.scheduler().NextDeadline();
        Advance(next ? std::max(Duration(1), *next - d_.clock().Now()) : Duration(1'000'000));
      }
      if (::testing::Test::HasFailure()) return;
    }
    EXPECT_TRUE(d_.scheduler().Done()) << "the campaign never finished";
    if (!ref_.stopping()) {
      EXPECT_TRUE(ref_.AllTerminal());
    }
  }

 private:
  SplitMixRng rng_;
  FakeLauncherDriver d_;
  ReferenceScheduler ref_;
  int next_id_ = 0;
  int64_t restarts_ = 0, replays_ = 0, stops_ = 0, refused_ = 0;
};

void RunSeeds(SchedulerOptions options, int steps) {
  Coverage c;
  const std::vector<uint64_t> seeds = Seeds();
  for (uint64_t seed : seeds) {
    SCOPED_TRACE("seed " + std::to_string(seed) +
                 " (rerun: ALLOT_TEST_SEED=" + std::to_string(seed) + ")");
    Run run(seed, options);
    run.Go(steps);
    run.AddTo(&c);
    if (::testing::Test::HasFailure()) {
      std::cerr << "scheduler model test failed with seed " << seed
                << "; reproduce with ALLOT_TEST_SEED=" << seed << "\n";
      return;
    }
  }
  std::cout << seeds.size() << " seeds: " << c.tasks << " tasks, " << c.launches << " launches, "
            << c.signals << " signals, " << c.stops << " stops, " << c.restarts << " restarts, "
            << c.replays << " replays, " << c.refused << " refused batches; transitions to:";
  for (int i = 0; i < kTaskStateCount; ++i) {
    std::cout << " " << TaskStateName(static_cast<TaskState>(i)) << "=" << c.transitions_to[i];
  }
  std::cout << "\n";
}

TEST(SchedulerModelTest, RandomCampaignsMatchTheReference) { RunSeeds({}, 600); }

TEST(SchedulerModelTest, RandomCampaignsWithARunningLimitMatchTheReference) {
  SchedulerOptions options;
  options.max_running = 3;
  RunSeeds(options, 600);
}

TEST(SchedulerModelTest, RandomCampaignsWithALowCrashLimitMatchTheReference) {
  SchedulerOptions options;
  options.crash_limit = 1;
  options.backfill_depth = 2;
  RunSeeds(options, 600);
}

}  // namespace
}  // namespace allot
