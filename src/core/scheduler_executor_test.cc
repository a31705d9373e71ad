// Scheduler and executors (TaskSpec::executor, Machine::executor): a task with `executor:
// slurm` runs only on a worker started with --executor slurm, and ordinary tasks never do;
// dependencies cross between them as between any tasks.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/scheduler.h"
#include "testing/fake_clock.h"
#include "testing/task_builder.h"
#include "testing/test_machines.h"

namespace allot {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr WorkerId kLocal = 1;
constexpr WorkerId kSlurm = 2;

TaskSpec SlurmTask(const std::string& id) {
  TaskSpec s = TaskBuilder(id);
  s.executor = kSlurmExecutor;
  return s;
}

Machine SlurmMachine(int slots) {
  Machine m = FlatMachine(slots);
  m.executor = kSlurmExecutor;
  return m;
}

class SchedulerExecutorTest : public ::testing::Test {
 protected:
  Outbox Turn() {
    s_.Schedule();
    Outbox out = std::move(*s_.outbox());
    s_.outbox()->Clear();
    return out;
  }
  TaskIndex Index(const std::string& id) { return *s_.Find(id); }
  TaskState State(const std::string& id) { return s_.state(Index(id)); }
  // The worker each launch of this turn went to, by task id.
  std::map<std::string, WorkerId> Placed(const Outbox& out) {
    std::map<std::string, WorkerId> placed;
    for (const LaunchOrder& l : out.launches) placed[s_.id(l.task)] = l.worker;
    return placed;
  }
  void Exit(const std::string& id, int code) {
    AttemptUsage u;
    u.exit_code = code;
    const TaskIndex t = Index(id);
    s_.OnAttemptExited(MakeExecutionId(t, s_.attempts(t)), u);
    s_.outbox()->Clear();
  }

  FakeClock clock_;
  Scheduler s_{&clock_, SchedulerOptions{}};
};

TEST_F(SchedulerExecutorTest, ASlurmTaskRunsOnlyOnASlurmWorkerAndOrdinaryTasksNeverDo) {
  ASSERT_TRUE(s_.Submit({SlurmTask("s0"), TaskBuilder("a"), TaskBuilder("b"), SlurmTask("s1")})
                  .ok());
  ASSERT_TRUE(s_.AddWorker(kLocal, "local", FlatMachine(1)).ok());
  ASSERT_TRUE(s_.AddWorker(kSlurm, "slurm", SlurmMachine(64)).ok());
  const std::map<std::string, WorkerId> placed = Placed(Turn());
  EXPECT_EQ(placed, (std::map<std::string, WorkerId>{
                        {"s0", kSlurm}, {"a", kLocal}, {"s1", kSlurm}}));
  // b waits for the local worker's one core, though the Slurm worker has 62 free.
  EXPECT_EQ(State("b"), TaskState::kReady);
  Exit("a", 0);
  EXPECT_EQ(Placed(Turn()), (std::map<std::string, WorkerId>{{"b", kLocal}}));
}

TEST_F(SchedulerExecutorTest, ASlurmTaskWithoutASlurmWorkerSaysWhyAndBlocksNobody) {
  TaskSpec head = SlurmTask("post");
  head.priority = 10;  // first in line: it must not hold the local worker's cores
  ASSERT_TRUE(s_.Submit({head, TaskBuilder("a")}).ok());
  ASSERT_TRUE(s_.AddWorker(kLocal, "local", FlatMachine(2)).ok());
  EXPECT_EQ(Placed(Turn()), (std::map<std::string, WorkerId>{{"a", kLocal}}));
  EXPECT_EQ(State("post"), TaskState::kReady);
  EXPECT_THAT(s_.WhyWaiting(Index("post")), HasSubstr("allot worker start --executor slurm"));
  ASSERT_TRUE(s_.AddWorker(kSlurm, "slurm", SlurmMachine(4)).ok());
  EXPECT_EQ(Placed(Turn()), (std::map<std::string, WorkerId>{{"post", kSlurm}}));
}

TEST_F(SchedulerExecutorTest, AnOrdinaryTaskWithOnlySlurmWorkersSaysWhy) {
  ASSERT_TRUE(s_.Submit({TaskBuilder("a")}).ok());
  ASSERT_TRUE(s_.AddWorker(kSlurm, "slurm", SlurmMachine(4)).ok());
  EXPECT_THAT(Turn().launches, IsEmpty());
  EXPECT_THAT(s_.WhyWaiting(Index("a")), HasSubstr("no connected worker runs tasks itself"));
}

TEST_F(SchedulerExecutorTest, DependenciesCrossExecutors) {
  TaskSpec post = SlurmTask("post");
  post.depends_on = {"sim"};
  TaskSpec report = TaskBuilder("report");
  report.depends_on = {"post"};
  ASSERT_TRUE(s_.Submit({TaskBuilder("sim"), post, report}).ok());
  ASSERT_TRUE(s_.AddWorker(kLocal, "local", FlatMachine(2)).ok());
  ASSERT_TRUE(s_.AddWorker(kSlurm, "slurm", SlurmMachine(4)).ok());
  EXPECT_EQ(Placed(Turn()), (std::map<std::string, WorkerId>{{"sim", kLocal}}));
  EXPECT_EQ(State("post"), TaskState::kWaiting);
  Exit("sim", 0);
  EXPECT_EQ(Placed(Turn()), (std::map<std::string, WorkerId>{{"post", kSlurm}}));
  Exit("post", 0);
  EXPECT_EQ(Placed(Turn()), (std::map<std::string, WorkerId>{{"report", kLocal}}));
}

TEST_F(SchedulerExecutorTest, SlurmTasksAreNoWorkForAutomaticAllocations) {
  ASSERT_TRUE(s_.Submit({SlurmTask("s0"), TaskBuilder("a").Cores(3)}).ok());
  const std::vector<WaitingTask> waiting = s_.WaitingWork(10);
  ASSERT_EQ(waiting.size(), 1u);
  EXPECT_EQ(waiting[0].cores, 3);
}

TEST(SchedulerExecutorEmbeddedTest, AllotRunRejectsASlurmTaskSayingWhatItNeeds) {
  FakeClock clock;
  Scheduler s(&clock, FlatMachine(4), SchedulerOptions{});
  Status st = s.Submit({TaskBuilder("a"), SlurmTask("s")});
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr("task 's': executor: slurm needs a cluster-mode server"));
  EXPECT_EQ(s.Find("a"), std::nullopt);  // nothing of the batch was taken
}

}  // namespace
}  // namespace allot
