// A requeue written to a real journal file: the requeued task and the dependent that came back
// with it are unfinished to the journal's loader (their specs come whole, not brief) and to a
// restarted scheduler (RecoverFromJournal, as `allot server start` does), which runs them again
// with the next attempt.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/scheduler.h"
#include "journal/journal_testing.h"
#include "journal/sqlite_journal.h"
#include "server/requeue_tasks.h"
#include "server/scheduler_recovery.h"
#include "testing/fake_clock.h"
#include "testing/fake_launcher_driver.h"
#include "testing/task_builder.h"
#include "testing/test_machines.h"

namespace allot {
namespace {

using journal_testing::ScopedTempDir;

TEST(RequeueRecoveryTest, ARequeuedTaskAndItsSkippedDependentRecoverUnfinishedWithTheirSpecs) {
  FakeLauncherDriver d(FlatMachine(2));
  ASSERT_TRUE(d.Submit({TaskBuilder("sim"), TaskBuilder("reco").DependsOn({"sim"}),
                        TaskBuilder("done")})
                  .ok());
  d.Turn();
  d.Exit("sim", 1);
  d.Exit("done", 0);
  ASSERT_EQ(d.State("reco"), TaskState::kSkipped);
  const TaskIndex sim = d.Index("sim");
  const TaskIndex roots[] = {sim};
  std::vector<TaskIndex> requeued;
  ASSERT_TRUE(RequeueTasks(&d.scheduler(), roots,
                           [&d](TaskIndex t) -> Result<TaskSpec> {
                             return d.submissions()[t].spec;
                           },
                           &requeued)
                  .ok());
  d.Drain();
  ASSERT_EQ(requeued.size(), 2u);

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
  journal_testing::CollectingConsumer collected;
  ASSERT_TRUE((*j)->LoadForRecovery(&collected).ok());
  const std::vector<Submission>& subs = collected.contents.submissions;
  EXPECT_FALSE(subs[sim].brief) << "a requeued task is unfinished: its spec is decoded";
  EXPECT_FALSE(subs[d.Index("reco")].brief);
  EXPECT_TRUE(subs[d.Index("done")].brief);

  FakeClock clock;
  Scheduler restarted(&clock, d.machine(), d.options());
  ASSERT_TRUE(RecoverFromJournal(j->get(), &restarted, RecoverMode::kEndInterrupted).ok());
  EXPECT_EQ(restarted.state(sim), TaskState::kReady);
  EXPECT_EQ(restarted.state(d.Index("reco")), TaskState::kWaiting);
  EXPECT_TRUE(restarted.has_spec(sim));
  EXPECT_TRUE(restarted.has_spec(d.Index("reco")));
  EXPECT_FALSE(restarted.has_spec(d.Index("done")));
  EXPECT_EQ(restarted.attempts(sim), 1u);
  restarted.Schedule();
  ASSERT_EQ(restarted.outbox()->launches.size(), 1u);
  EXPECT_EQ(restarted.outbox()->launches[0].task, sim);
  EXPECT_EQ(restarted.outbox()->launches[0].attempt, 2u);
}

TEST(RequeueRecoveryTest, ARequeueAfterARestartBringsBackTheSkippedDependentOfABriefTask) {
  FakeLauncherDriver d(FlatMachine(2));
  ASSERT_TRUE(d.Submit({TaskBuilder("sim"), TaskBuilder("reco").DependsOn({"sim"})}).ok());
  d.Turn();
  d.Exit("sim", 1);
  ASSERT_EQ(d.State("reco"), TaskState::kSkipped);
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
  // As `allot server start` recovers: both finished, so both come brief, without their edges.
  FakeClock clock;
  Scheduler restarted(&clock, d.machine(), d.options());
  ASSERT_TRUE(RecoverFromJournal(j->get(), &restarted, RecoverMode::kEndInterrupted).ok());
  restarted.outbox()->Clear();
  const TaskIndex sim = *restarted.Find("sim");
  const TaskIndex reco = *restarted.Find("reco");
  const TaskIndex roots[] = {sim};
  std::vector<TaskIndex> requeued;
  ASSERT_TRUE(RequeueTasks(&restarted, roots,
                           [&d](TaskIndex t) -> Result<TaskSpec> {
                             return d.submissions()[t].spec;
                           },
                           &requeued)
                  .ok());
  EXPECT_EQ(requeued.size(), 2u);
  EXPECT_EQ(restarted.state(sim), TaskState::kReady);
  EXPECT_EQ(restarted.state(reco), TaskState::kWaiting) << "it waits for sim again";
  restarted.Schedule();
  ASSERT_EQ(restarted.outbox()->launches.size(), 1u);
  EXPECT_EQ(restarted.outbox()->launches[0].task, sim);
  AttemptUsage clean;
  clean.exit_code = 0;
  restarted.OnAttemptExited(restarted.outbox()->launches[0].execution, clean);
  EXPECT_EQ(restarted.state(sim), TaskState::kSucceeded);
  EXPECT_EQ(restarted.state(reco), TaskState::kReady) << "and runs after it succeeds";
}

}  // namespace
}  // namespace allot
