#include "core/event_fold.h"

#include <gtest/gtest.h>

#include "testing/task_builder.h"

namespace allot {
namespace {

// A table of tasks "a" and "b" (b depends on a), both waiting, with a fold over it.
class EventFoldTest : public ::testing::Test {
 protected:
  EventFoldTest() {
    std::vector<TaskSpec> specs = {TaskBuilder("a"), TaskBuilder("b").DependsOn({"a"})};
    EXPECT_TRUE(table_.BeginBatch(SpecBatch(specs)).ok());
    table_.CommitBatch(specs);
    BatchDeps deps;
    deps.deps = {0};
    deps.first = {0, 0, 1};
    graph_.AddBatch(deps, [](TaskIndex) { return false; });
  }

  TaskEvent Event(TaskIndex t, TaskState from, TaskState to, uint32_t attempt = 0) {
    TaskEvent e;
    e.task = t;
    e.from = from;
    e.to = to;
    e.attempt = attempt;
    return e;
  }

  std::vector<TaskIndex> Apply(const TaskEvent& e) {
    EXPECT_TRUE(fold_.Check(e).ok()) << fold_.Check(e).ToString();
    std::vector<TaskIndex> freed;
    fold_.Apply(e, &freed);
    return freed;
  }

  TaskTable table_;
  TaskGraph graph_;
  ProfileLearner learner_;
  CampaignTotals totals_;
  EventFold fold_{&table_, &graph_, &learner_, &totals_};
};

TEST_F(EventFoldTest, CheckRefusesEventsThatCannotHappenNamingTheTask) {
  Status wrong_from = fold_.Check(Event(0, TaskState::kReady, TaskState::kRunning, 1));
  EXPECT_EQ(wrong_from.code(), StatusCode::kCorruption);
  EXPECT_NE(wrong_from.message().find("task 'a' cannot go from ready to running (it is waiting)"),
            std::string::npos)
      << wrong_from.message();
  EXPECT_FALSE(fold_.Check(Event(0, TaskState::kWaiting, TaskState::kRunning)).ok());
  EXPECT_FALSE(fold_.Check(Event(7, TaskState::kWaiting, TaskState::kReady)).ok());
}

TEST_F(EventFoldTest, AnAttemptsLifeEndsInTheRecordAndFreesDependents) {
  Apply(Event(0, TaskState::kWaiting, TaskState::kReady));
  TaskEvent start = Event(0, TaskState::kReady, TaskState::kRunning, 1);
  start.cores = {0, 1};
  start.memory_bytes = 1 << 20;
  Apply(start);
  EXPECT_EQ(table_.record(0).attempts, 1u);
  EXPECT_EQ(table_.record(0).held_cores, 2);
  TaskEvent done = Event(0, TaskState::kRunning, TaskState::kSucceeded, 1);
  done.usage = AttemptUsage{};
  done.usage->exit_code = 0;
  done.usage->wall = std::chrono::seconds(3);
  std::vector<TaskIndex> freed = Apply(done);
  EXPECT_EQ(freed, std::vector<TaskIndex>{1});
  EXPECT_EQ(graph_.unmet(1), 0u);
  EXPECT_EQ(totals_.attempts_ended, 1u);
  EXPECT_EQ(totals_.task_wall, std::chrono::seconds(3));
  EXPECT_FALSE(table_.has_spec(0));
  // The profile ("a") learned from the attempt, with the cores it held.
  const ProfileStats* stats = learner_.store().Find("a");
  ASSERT_NE(stats, nullptr);
  EXPECT_EQ(stats->attempts(), 1);
  EXPECT_DOUBLE_EQ(stats->Summarize().waste.core_seconds_allocated, 6.0);
}

TEST_F(EventFoldTest, InterruptionsCountAsCrashesAndTeachNothing) {
  Apply(Event(0, TaskState::kWaiting, TaskState::kReady));
  Apply(Event(0, TaskState::kReady, TaskState::kRunning, 1));
  TaskEvent preempted = Event(0, TaskState::kRunning, TaskState::kPreempted, 1);
  preempted.usage = AttemptUsage{};
  Apply(preempted);
  EXPECT_EQ(table_.record(0).crashes, 1);
  EXPECT_EQ(learner_.store().Find("a"), nullptr);
  Apply(Event(0, TaskState::kPreempted, TaskState::kReady, 1));
  Apply(Event(0, TaskState::kReady, TaskState::kRunning, 2));
  Apply(Event(0, TaskState::kRunning, TaskState::kLost, 2));
  EXPECT_EQ(table_.record(0).crashes, 2);
}

TEST_F(EventFoldTest, GrownMemoryAndAPersonsSkipAreRemembered) {
  Apply(Event(0, TaskState::kWaiting, TaskState::kReady));
  Apply(Event(0, TaskState::kReady, TaskState::kRunning, 1));
  TaskEvent grown = Event(0, TaskState::kRunning, TaskState::kReady, 1);
  grown.memory_bytes = 256 << 20;
  grown.usage = AttemptUsage{};
  Apply(grown);
  EXPECT_EQ(table_.spec(0).resources.memory_bytes, 256 << 20);
  EXPECT_EQ(table_.record(0).memory_retries, 1);
  TaskEvent skip = Event(0, TaskState::kReady, TaskState::kSkipped, 1);
  skip.by_user = true;
  std::vector<TaskIndex> freed = Apply(skip);
  EXPECT_TRUE(table_.record(0).skipped_by_user);
  EXPECT_EQ(freed, std::vector<TaskIndex>{1});  // a person's skip satisfies dependents
}

}  // namespace
}  // namespace allot
