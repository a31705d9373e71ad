// A person's requeue of failed and canceled tasks: the transitions, the fresh retry budget,
// attempts that go on, the dependents that wait again, a restart that sees it, and the
// refusals that change nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "core/scheduler.h"
#include "testing/fake_launcher_driver.h"
#include "testing/task_builder.h"
#include "testing/test_machines.h"

namespace allot {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class SchedulerRequeueTest : public ::testing::Test {
 protected:
  SchedulerRequeueTest() : d_(FlatMachine(1)) {}

  // What the server does: the specs of RequeueSet(roots), from the journal (the driver's).
  Status Requeue(const std::vector<std::string>& ids, std::vector<TaskIndex>* requeued = nullptr) {
    std::vector<TaskIndex> roots;
    for (const std::string& id : ids) roots.push_back(d_.Index(id));
    std::unordered_map<TaskIndex, TaskSpec> specs;
    for (TaskIndex t : d_.scheduler().RequeueSet(roots)) specs[t] = d_.submissions()[t].spec;
    Status s = d_.scheduler().Requeue(roots, std::move(specs), requeued);
    d_.Drain();
    return s;
  }
  void FailTwice(const std::string& id) {
    d_.Turn();
    d_.Exit(id, 3);
    d_.Turn();
    d_.Exit(id, 3);
    ASSERT_EQ(d_.State(id), TaskState::kFailed);
  }
  FakeLauncherDriver d_;
};

TEST_F(SchedulerRequeueTest, AFailedTaskRunsAgainWithTheNextAttemptAndAFreshRetryBudget) {
  ASSERT_TRUE(d_.Submit({TaskBuilder("sim").Retries(1), TaskBuilder("reco").DependsOn({"sim"})})
                  .ok());
  FailTwice("sim");
  EXPECT_EQ(d_.State("reco"), TaskState::kSkipped);
  EXPECT_EQ(d_.scheduler().attempts(d_.Index("sim")), 2u);

  std::vector<TaskIndex> requeued;
  ASSERT_TRUE(Requeue({"sim"}, &requeued).ok());
  EXPECT_THAT(requeued, ElementsAre(d_.Index("sim"), d_.Index("reco")));
  EXPECT_EQ(d_.State("sim"), TaskState::kReady);
  EXPECT_EQ(d_.State("reco"), TaskState::kWaiting) << "the skipped dependent waits again";
  EXPECT_TRUE(d_.last_turn().events.at(0).by_user);
  EXPECT_FALSE(d_.scheduler().Done());

  // Attempt 3 fails and is retried (max_retries 1 again), attempt 4 succeeds.
  Outbox third = d_.Turn();
  ASSERT_EQ(third.launches.size(), 1u);
  EXPECT_EQ(third.launches[0].attempt, 3u);
  d_.Exit("sim", 3);
  EXPECT_EQ(d_.State("sim"), TaskState::kReady) << "a fresh budget: the failure is retried";
  Outbox fourth = d_.Turn();
  ASSERT_EQ(fourth.launches.size(), 1u);
  EXPECT_EQ(fourth.launches[0].attempt, 4u);
  d_.Exit("sim", 0);
  EXPECT_EQ(d_.State("sim"), TaskState::kSucceeded);
  EXPECT_EQ(d_.State("reco"), TaskState::kReady) << "dependents run after it succeeds";
  d_.Turn();
  d_.Exit("reco", 0);
  EXPECT_TRUE(d_.scheduler().Done());
}

TEST_F(SchedulerRequeueTest, ARequeuedTaskThatFailsAgainSkipsItsDependentsAgain) {
  ASSERT_TRUE(d_.Submit({TaskBuilder("sim"), TaskBuilder("reco").DependsOn({"sim"})}).ok());
  d_.Turn();
  d_.Exit("sim", 1);
  ASSERT_TRUE(Requeue({"sim"}).ok());
  d_.Turn();
  d_.Exit("sim", 1);
  EXPECT_EQ(d_.State("sim"), TaskState::kFailed) << "max_retries 0: one attempt per requeue";
  EXPECT_EQ(d_.State("reco"), TaskState::kSkipped);
  EXPECT_TRUE(d_.scheduler().Done());
}

TEST_F(SchedulerRequeueTest, ACanceledTaskIsRequeuedToWaitingWhileItsDependencyRuns) {
  ASSERT_TRUE(d_.Submit({TaskBuilder("sim"), TaskBuilder("reco").DependsOn({"sim"})}).ok());
  d_.Turn();
  d_.scheduler().Control(d_.Index("reco"), ControlAction::kCancel);
  d_.Drain();
  ASSERT_EQ(d_.State("reco"), TaskState::kCanceled);
  ASSERT_TRUE(Requeue({"reco"}).ok());
  EXPECT_EQ(d_.State("reco"), TaskState::kWaiting);
  d_.Exit("sim", 0);
  EXPECT_EQ(d_.State("reco"), TaskState::kReady);
}

TEST_F(SchedulerRequeueTest, ARestartSeesTheRequeuedStateAndTheAttemptsGoOn) {
  ASSERT_TRUE(d_.Submit({TaskBuilder("sim").Retries(1), TaskBuilder("reco").DependsOn({"sim"})})
                  .ok());
  FailTwice("sim");
  ASSERT_TRUE(Requeue({"sim"}).ok());
  ASSERT_TRUE(d_.Restart().ok());
  EXPECT_EQ(d_.State("sim"), TaskState::kReady);
  EXPECT_EQ(d_.State("reco"), TaskState::kWaiting);
  Outbox third = d_.Turn();
  ASSERT_EQ(third.launches.size(), 1u) << "the recovered task has its spec back";
  EXPECT_EQ(third.launches[0].attempt, 3u);
  d_.Exit("sim", 3);
  EXPECT_EQ(d_.State("sim"), TaskState::kReady) << "the fresh budget survives the restart";
  d_.Turn();
  d_.Exit("sim", 0);
  d_.Turn();
  d_.Exit("reco", 0);
  EXPECT_TRUE(d_.scheduler().Done());
}

TEST_F(SchedulerRequeueTest, ATaskThatFinishedAgainAfterARequeueRecoversFinished) {
  ASSERT_TRUE(d_.Submit({TaskBuilder("sim")}).ok());
  d_.Turn();
  d_.Exit("sim", 1);
  ASSERT_TRUE(Requeue({"sim"}).ok());
  d_.Turn();
  d_.Exit("sim", 0);
  ASSERT_TRUE(d_.Restart().ok());
  EXPECT_EQ(d_.State("sim"), TaskState::kSucceeded);
  EXPECT_FALSE(d_.scheduler().has_spec(d_.Index("sim"))) << "a finished task's spec is freed";
  EXPECT_EQ(d_.scheduler().attempts(d_.Index("sim")), 2u);
}

TEST_F(SchedulerRequeueTest, RequeueOfATaskThatIsNotFailedOrCanceledIsRefusedNamingIt) {
  ASSERT_TRUE(d_.Submit({TaskBuilder("ok"), TaskBuilder("queued")}).ok());
  d_.Turn();
  d_.Exit("ok", 0);
  const size_t events = d_.events().size();
  Status done = Requeue({"ok"});
  EXPECT_THAT(done.ToString(), HasSubstr("task 'ok' is succeeded"));
  Status queued = Requeue({"queued"});
  EXPECT_THAT(queued.ToString(), HasSubstr("task 'queued' is ready; only a failed or canceled"));
  EXPECT_EQ(d_.events().size(), events) << "a refusal changes nothing";
}

TEST_F(SchedulerRequeueTest, ARootWhoseDependencyFailedIsRefusedUnlessItIsRequeuedToo) {
  ASSERT_TRUE(d_.Submit({TaskBuilder("sim"), TaskBuilder("reco").DependsOn({"sim"})}).ok());
  d_.Turn();
  d_.scheduler().Control(d_.Index("reco"), ControlAction::kCancel);
  d_.Drain();
  d_.Exit("sim", 1);
  ASSERT_EQ(d_.State("sim"), TaskState::kFailed);
  const size_t events = d_.events().size();
  Status alone = Requeue({"reco"});
  EXPECT_THAT(alone.ToString(), HasSubstr("task 'reco' depends on 'sim', which is failed"));
  EXPECT_EQ(d_.events().size(), events);
  EXPECT_EQ(d_.State("reco"), TaskState::kCanceled);
  ASSERT_TRUE(Requeue({"reco", "sim"}).ok());
  EXPECT_EQ(d_.State("reco"), TaskState::kWaiting);
  EXPECT_EQ(d_.State("sim"), TaskState::kReady);
}

TEST_F(SchedulerRequeueTest, ASkippedDependentOfTwoFailedTasksStaysSkippedUntilBothComeBack) {
  ASSERT_TRUE(d_.Submit({TaskBuilder("a"), TaskBuilder("b"),
                         TaskBuilder("both").DependsOn({"a", "b"}),
                         TaskBuilder("after").DependsOn({"both"})})
                  .ok());
  d_.Turn();
  d_.Exit("a", 1);
  d_.Turn();
  d_.Exit("b", 1);
  ASSERT_EQ(d_.State("both"), TaskState::kSkipped);
  std::vector<TaskIndex> requeued;
  ASSERT_TRUE(Requeue({"a"}, &requeued).ok());
  EXPECT_THAT(requeued, ElementsAre(d_.Index("a")));
  EXPECT_EQ(d_.State("both"), TaskState::kSkipped);
  EXPECT_EQ(d_.State("after"), TaskState::kSkipped);
  ASSERT_TRUE(Requeue({"b"}).ok());
  EXPECT_EQ(d_.State("both"), TaskState::kWaiting);
  EXPECT_EQ(d_.State("after"), TaskState::kWaiting);
}

}  // namespace
}  // namespace allot
