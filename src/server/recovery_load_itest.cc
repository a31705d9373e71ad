// Restarting from a real journal file: a Scheduler recovered as the server does
// (RecoverFromJournal: finished tasks brief, events streamed) is the same as one recovered from
// Load (every spec, at once): states, attempts, exits,
// briefs, specs of unfinished tasks, learned profiles, the events recovery emits, and what it
// launches next.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/scheduler.h"
#include "journal/journal_testing.h"
#include "journal/sqlite_journal.h"
#include "model/task_spec_json.h"
#include "server/scheduler_recovery.h"
#include "testing/fake_clock.h"
#include "testing/fake_launcher_driver.h"
#include "testing/task_builder.h"
#include "testing/test_machines.h"

namespace allot {
namespace {

using namespace std::chrono_literals;
using journal_testing::ScopedTempDir;

// A campaign left mid-way: successes, a failure after retries and the skip it causes, a task
// grown after a kill at its memory limit, tagged and untagged profiles, one still running and
// some never started.
void PlayCampaign(FakeLauncherDriver& d) {
  std::vector<TaskSpec> specs;
  for (int i = 0; i < 6; ++i) {
    specs.push_back(TaskBuilder("sim-" + std::to_string(i)).Cores(1).Priority(i % 3));
  }
  specs.push_back(TaskSpec(TaskBuilder("fit").Cores(2).Retries(1)));
  specs.back().tags["profile"] = "fitter";
  specs.push_back(TaskBuilder("plot").DependsOn({"fit"}));
  specs.push_back(TaskBuilder("big").Memory(1 * kGiB).MemoryMax(4 * kGiB));
  specs.push_back(TaskBuilder("merge").DependsOn({"sim-0", "sim-1"}).Cores(1));
  ASSERT_TRUE(d.Submit(specs).ok());
  for (int round = 0; round < 8; ++round) {
    d.Turn();
    for (const auto& [execution, launch] : std::map(d.live())) {
      const std::string& id = d.scheduler().id(launch.task);
      if (id == "sim-5") continue;  // still running when the journal ends
      if (id == "fit") {
        d.Exit(id, 3);
      } else if (id == "big" && d.scheduler().attempts(launch.task) == 1) {
        AttemptUsage usage;
        usage.term_signal = 9;
        usage.memory_exceeded = true;
        usage.max_rss_bytes = 2 * kGiB;
        d.ExitExecution(execution, usage);
      } else {
        d.Exit(id, 0);
      }
    }
    d.Advance(10min);
  }
}

struct Recovered {
  FakeClock clock;
  std::unique_ptr<Scheduler> scheduler;
  Status status;
};

void RecoverFrom(const JournalContents& contents, const FakeLauncherDriver& d, Recovered* out) {
  out->scheduler = std::make_unique<Scheduler>(&out->clock, d.machine(), d.options());
  out->status = out->scheduler->Recover(contents.submissions, contents.events);
}

TEST(RecoveryLoadTest, RecoveringFromBriefFinishedTasksEqualsRecoveringFromEverySpec) {
  FakeLauncherDriver d(FlatMachine(4, 8 * kGiB));
  PlayCampaign(d);
  ScopedTempDir dir;
  const std::string path = dir.File("campaign.journal");
  {
    auto j = SqliteJournal::Open(path);
    ASSERT_TRUE(j.ok()) << j.status().ToString();
    ASSERT_TRUE((*j)->AppendSubmissions(d.submissions()).ok());
    ASSERT_TRUE((*j)->AppendEvents(d.events()).ok());
    ASSERT_TRUE((*j)->Commit().ok());
  }
  auto j = SqliteJournal::OpenReadOnly(path);
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  Result<JournalContents> all = (*j)->Load();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  journal_testing::CollectingConsumer collected;
  ASSERT_TRUE((*j)->LoadForRecovery(&collected).ok());
  int briefs = 0;
  for (const Submission& s : collected.contents.submissions) briefs += s.brief ? 1 : 0;
  ASSERT_GE(briefs, 5);  // the campaign did finish tasks, and they came brief

  // a: Recover from every spec, at once; b: as `allot server start` does, from the file.
  Recovered a, b;
  RecoverFrom(*all, d, &a);
  b.scheduler = std::make_unique<Scheduler>(&b.clock, d.machine(), d.options());
  Result<RecoveredCounts> counts =
      RecoverFromJournal(j->get(), b.scheduler.get(), RecoverMode::kEndInterrupted);
  b.status = counts.status();
  if (counts.ok()) {
    EXPECT_EQ(counts->tasks, d.submissions().size());
    EXPECT_EQ(counts->events, static_cast<int64_t>(d.events().size()));
  }
  ASSERT_TRUE(a.status.ok()) << a.status.ToString();
  ASSERT_TRUE(b.status.ok()) << b.status.ToString();
  Scheduler& sa = *a.scheduler;
  Scheduler& sb = *b.scheduler;
  // The campaign is what it says: the cases are there.
  auto count = [&sa](TaskState s) { return sa.counts()[static_cast<int>(s)]; };
  EXPECT_GE(count(TaskState::kSucceeded), 5);
  EXPECT_EQ(count(TaskState::kFailed), 1);
  EXPECT_EQ(count(TaskState::kSkipped), 1);
  EXPECT_EQ(sa.attempts(*sa.Find("fit")), 2u);
  EXPECT_GT(sa.brief(*sa.Find("big")).memory_bytes, 1 * kGiB);
  EXPECT_EQ(sa.state(*sa.Find("sim-5")), TaskState::kReady);  // lost with the restart
  ASSERT_EQ(sa.task_count(), sb.task_count());
  EXPECT_EQ(sa.counts(), sb.counts());
  for (TaskIndex t = 0; t < sa.task_count(); ++t) {
    SCOPED_TRACE(sa.id(t));
    EXPECT_EQ(sa.id(t), sb.id(t));
    EXPECT_EQ(sa.state(t), sb.state(t));
    EXPECT_EQ(sa.attempts(t), sb.attempts(t));
    EXPECT_EQ(sa.last_exit(t), sb.last_exit(t));
    EXPECT_EQ(sa.has_spec(t), sb.has_spec(t));
    EXPECT_EQ(sa.brief(t).priority, sb.brief(t).priority);
    EXPECT_EQ(sa.brief(t).cores, sb.brief(t).cores);
    EXPECT_EQ(sa.brief(t).memory_bytes, sb.brief(t).memory_bytes);
    if (sa.has_spec(t)) EXPECT_EQ(TaskSpecToJson(sa.spec(t)), TaskSpecToJson(sb.spec(t)));
    EXPECT_EQ(sa.WhyWaiting(t), sb.WhyWaiting(t));
  }
  ASSERT_EQ(sa.profiles().profiles().size(), sb.profiles().profiles().size());
  for (const auto& [name, stats] : sa.profiles().profiles()) {
    const ProfileStats* other = sb.profiles().Find(name);
    ASSERT_NE(other, nullptr) << name;
    EXPECT_EQ(stats.attempts(), other->attempts()) << name;
    EXPECT_EQ(stats.window_successes(), other->window_successes()) << name;
  }
  EXPECT_EQ(sa.outbox()->events, sb.outbox()->events);
  sa.Schedule();
  sb.Schedule();
  ASSERT_EQ(sa.outbox()->launches.size(), sb.outbox()->launches.size());
  for (size_t i = 0; i < sa.outbox()->launches.size(); ++i) {
    EXPECT_EQ(sa.outbox()->launches[i].task, sb.outbox()->launches[i].task);
  }
}

}  // namespace
}  // namespace allot
