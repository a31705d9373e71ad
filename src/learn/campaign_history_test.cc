// CampaignHistory: profiles learned from a journal's ended attempts, and the unfinished work
// with dependencies among itself and running tasks' elapsed time.
#include "learn/campaign_history.h"

#include <gtest/gtest.h>

#include "testing/fake_launcher_driver.h"
#include "testing/task_builder.h"
#include "testing/test_machines.h"

namespace allot {
namespace {

using namespace std::chrono_literals;

Submission Sub(TaskIndex i, std::string id, std::vector<std::string> deps = {},
               std::string profile = "") {
  Submission s;
  s.index = i;
  s.spec.id = std::move(id);
  s.spec.command = "true";
  s.spec.depends_on = std::move(deps);
  if (!profile.empty()) s.spec.tags["profile"] = profile;
  s.initial_state = s.spec.depends_on.empty() ? TaskState::kReady : TaskState::kWaiting;
  return s;
}

TaskEvent Ev(TaskIndex t, TaskState from, TaskState to, int64_t us, int cores = 0,
             std::optional<Duration> wall = std::nullopt) {
  TaskEvent e;
  e.task = t;
  e.attempt = 1;
  e.from = from;
  e.to = to;
  e.wall_time_us = us;
  for (int c = 0; c < cores; ++c) e.cores.push_back(c);
  if (wall) {
    e.usage.emplace();
    e.usage->exit_code = 0;
    e.usage->wall = *wall;
    e.usage->user_cpu = *wall / 2;
  }
  return e;
}

JournalContents Campaign() {
  JournalContents c;
  c.submissions = {Sub(0, "sim-1", {}, "sim"), Sub(1, "sim-2", {}, "sim"),
                   Sub(2, "reco-1", {"sim-1"}), Sub(3, "reco-2", {"sim-2"})};
  c.events = {Ev(0, TaskState::kReady, TaskState::kRunning, 1'000'000, 2),
              Ev(1, TaskState::kReady, TaskState::kRunning, 1'000'000, 1),
              Ev(0, TaskState::kRunning, TaskState::kSucceeded, 4'000'000, 0, 3s),
              Ev(2, TaskState::kWaiting, TaskState::kReady, 4'000'000)};
  return c;
}

TEST(CampaignHistoryTest, ProfilesComeFromTagsElseFromTheIdWithoutItsNumbers) {
  JournalContents c = Campaign();
  EXPECT_EQ(ProfileOf(c.submissions[0].spec), "sim");
  EXPECT_EQ(ProfileOf(c.submissions[2].spec), "reco");
  ProfileStore store = LearnProfiles(c);
  ASSERT_NE(store.Find("sim"), nullptr);
  EXPECT_EQ(store.Find("sim")->attempts(), 1);
  EXPECT_EQ(store.Find("reco"), nullptr) << "reco has not ended yet";
}

TEST(CampaignHistoryTest, UnfinishedWorkKeepsDependenciesAmongItselfAndRunningElapsedTime) {
  Result<UnfinishedWork> w = CollectUnfinished(Campaign(), {2, 2}, 6'000'000);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_EQ(w->tasks, (std::vector<TaskIndex>{1, 2, 3}));
  const ForecastInput& in = w->input;
  ASSERT_EQ(in.workers.size(), 2u);
  EXPECT_EQ(in.tasks[0].state, ForecastTaskState::kRunning);
  EXPECT_EQ(in.tasks[0].elapsed, 5s);
  EXPECT_TRUE(in.tasks[1].deps.empty()) << "reco-1's dependency sim-1 has ended";
  EXPECT_EQ(in.tasks[2].deps, (std::vector<int32_t>{0})) << "reco-2 waits for sim-2";
  EXPECT_EQ(w->first_event_us, 1'000'000);
  EXPECT_DOUBLE_EQ(w->spent_core_seconds, 6.0);  // 2 cores x 3 s
  EXPECT_FALSE(CollectUnfinished(Campaign(), {}, 0).ok());
}

// Issue 9.3: `allot profiles` learned from preempted and canceled attempts that the scheduler
// skips. Both now read attempts through the one fold and learn by one rule: a campaign with
// successes, failures and retries, a cancel, a preemption at stop and a restart teaches the
// journal's reader exactly what it taught the scheduler that wrote the journal.
TEST(CampaignHistoryTest, ProfilesFromTheJournalEqualWhatTheSchedulerLearned) {
  FakeLauncherDriver d(FlatMachine(2));
  std::vector<TaskSpec> specs;
  for (int i = 1; i <= 6; ++i) specs.push_back(TaskBuilder("sim-" + std::to_string(i)).Retries(1));
  ASSERT_TRUE(d.Submit(specs).ok());
  d.Turn();
  d.Exit("sim-1", 0);
  d.Exit("sim-2", 1);  // retried
  d.Turn();
  d.scheduler().Control(d.Index("sim-3"), ControlAction::kCancel);
  d.Drain();
  d.Kill("sim-3", 15);  // canceled while it ran: teaches nothing
  d.Turn();
  d.Stop(/*kill_now=*/false);
  for (const auto& [execution, launch] : std::map<ExecutionId, LaunchOrder>(d.live())) {
    AttemptUsage usage;
    usage.term_signal = 15;
    d.ExitExecution(execution, usage);  // preempted: teaches nothing
  }
  ASSERT_TRUE(d.Restart().ok());
  for (int round = 0; round < 10 && !d.scheduler().Done(); ++round) {
    d.Turn();
    for (const auto& [execution, launch] : std::map<ExecutionId, LaunchOrder>(d.live())) {
      AttemptUsage ok;
      ok.exit_code = 0;
      ok.wall = std::chrono::seconds(2 + round);
      d.ExitExecution(execution, ok);
    }
  }
  ASSERT_TRUE(d.scheduler().Done());

  JournalContents contents;
  contents.submissions = d.submissions();
  contents.events = d.events();
  const ProfileStore from_journal = LearnProfiles(contents);
  // The restarted scheduler replayed the journal through the same fold.
  const ProfileStore& live = d.scheduler().profiles();
  ASSERT_EQ(from_journal.profiles().size(), live.profiles().size());
  for (const auto& [name, stats] : live.profiles()) {
    const ProfileStats* other = from_journal.Find(name);
    ASSERT_NE(other, nullptr) << name;
    const ProfileSummary a = stats.Summarize();
    const ProfileSummary b = other->Summarize();
    EXPECT_EQ(a.attempts, b.attempts) << name;
    EXPECT_EQ(a.succeeded, b.succeeded) << name;
    EXPECT_EQ(a.failed, b.failed) << name;
    EXPECT_EQ(a.wall_p50, b.wall_p50) << name;
    EXPECT_EQ(a.wall_p90, b.wall_p90) << name;
  }
  // Nothing canceled or preempted was counted: 5 successes (sim-3 was canceled) and sim-2's
  // one failure.
  const ProfileSummary sim = from_journal.Find("sim")->Summarize();
  EXPECT_EQ(sim.succeeded, 5);
  EXPECT_EQ(sim.attempts, 6);
}

}  // namespace
}  // namespace allot
