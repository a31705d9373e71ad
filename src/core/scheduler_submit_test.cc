// Scheduler::Submit refusals: a duplicate id, an unknown dependency, a dependency cycle, a
// request larger than the machine. Each is InvalidArgument naming the task, and changes nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/scheduler.h"
#include "model/task_file.h"
#include "testing/fake_launcher_driver.h"
#include "testing/task_builder.h"
#include "testing/test_machines.h"

namespace allot {
namespace {

using ::testing::HasSubstr;

class SchedulerSubmitTest : public ::testing::Test {
 protected:
  SchedulerSubmitTest() : d_(FlatMachine(4, 8 * kGiB, 1, {{"licenses", 2}})) {
    EXPECT_TRUE(d_.Submit({TaskBuilder("existing")}).ok());
    d_.Turn();
  }

  // Submits `specs`, expects InvalidArgument mentioning `words`, and that nothing changed.
  void ExpectRefused(std::vector<TaskSpec> specs, const std::string& words) {
    const size_t tasks = d_.scheduler().task_count();
    const auto counts = d_.scheduler().counts();
    const size_t submissions = d_.submissions().size();
    const size_t events = d_.events().size();
    Status s = d_.Submit(std::move(specs));
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
    EXPECT_THAT(s.message(), HasSubstr(words));
    EXPECT_EQ(d_.scheduler().task_count(), tasks);
    EXPECT_EQ(d_.scheduler().counts(), counts);
    EXPECT_EQ(d_.submissions().size(), submissions);
    EXPECT_EQ(d_.events().size(), events);
    EXPECT_FALSE(d_.scheduler().Find("fresh").has_value());
    for (const LaunchOrder& l : d_.Turn().launches) EXPECT_LT(l.task, tasks);
    // The scheduler still works, and the next task gets the next index.
    ASSERT_TRUE(d_.Submit({TaskBuilder("after-" + std::to_string(tasks))}).ok());
    EXPECT_EQ(d_.Index("after-" + std::to_string(tasks)), tasks);
  }

  FakeLauncherDriver d_;
};

TEST_F(SchedulerSubmitTest, DuplicateOfAnExistingIdIsRefused) {
  ExpectRefused({TaskBuilder("fresh"), TaskBuilder("existing")}, "'existing'");
}

TEST_F(SchedulerSubmitTest, DuplicateWithinTheBatchIsRefused) {
  ExpectRefused({TaskBuilder("fresh"), TaskBuilder("twin"), TaskBuilder("twin")}, "'twin'");
}

TEST_F(SchedulerSubmitTest, UnknownDependencyIsRefused) {
  ExpectRefused({TaskBuilder("fresh"), TaskBuilder("x").DependsOn({"existing", "nope"})},
                "unknown task 'nope'");
}

TEST_F(SchedulerSubmitTest, TooManyCoresIsRefused) {
  ExpectRefused({TaskBuilder("fresh"), TaskBuilder("huge").Cores(5)}, "'huge'");
}

// `allot run` checks the file against the machine (CheckFitsMachine); the scheduler's refusal
// is the backstop and must say the same thing, from the same model function.
TEST_F(SchedulerSubmitTest, TooLargeRefusalSaysWhatTheTaskFileCheckSays) {
  const std::vector<TaskSpec> specs = {TaskBuilder("huge").Cores(5).Gpus(2)};
  std::vector<Diagnostic> file_check;
  ASSERT_FALSE(CheckFitsMachine(specs, d_.scheduler().pool().Capacity(), &file_check));
  ASSERT_EQ(file_check.size(), 2u);
  EXPECT_EQ(file_check[0].message, "asks for 5 cores; this machine has 4");
  ExpectRefused(specs, "task 'huge': " + file_check[0].message);
}

TEST_F(SchedulerSubmitTest, ElasticTaskWhoseMinimumFitsIsAccepted) {
  ASSERT_TRUE(d_.Submit({TaskBuilder("elastic").Cores(2, 64)}).ok());
}

TEST_F(SchedulerSubmitTest, TooMuchMemoryIsRefused) {
  ExpectRefused({TaskBuilder("fresh"), TaskBuilder("fat").Memory(9 * kGiB)}, "'fat'");
  ExpectRefused({TaskBuilder("fresh"), TaskBuilder("fat2").Memory(9 * kGiB)}, "memory");
}

TEST_F(SchedulerSubmitTest, TooManyGpusIsRefused) {
  ExpectRefused({TaskBuilder("fresh"), TaskBuilder("gpu").Gpus(2)}, "'gpu'");
  ExpectRefused({TaskBuilder("fresh"), TaskBuilder("gpu2").Gpus(2)}, "GPU");
}

TEST_F(SchedulerSubmitTest, TooMuchOfACustomResourceIsRefused) {
  ExpectRefused({TaskBuilder("fresh"), TaskBuilder("lic").Custom("licenses", 3)}, "'lic'");
  ExpectRefused({TaskBuilder("fresh"), TaskBuilder("lic2").Custom("licenses", 3)}, "licenses");
}

TEST_F(SchedulerSubmitTest, UnknownCustomResourceIsRefused) {
  ExpectRefused({TaskBuilder("fresh"), TaskBuilder("tape").Custom("tape-drives", 1)}, "'tape'");
  ExpectRefused({TaskBuilder("fresh"), TaskBuilder("tape2").Custom("tape-drives", 1)},
                "tape-drives");
}

// A cycle can only be formed inside one batch (a task may depend only on known tasks). Taken
// in, it would leave its tasks waiting forever and the campaign never Done().
TEST_F(SchedulerSubmitTest, DependencyCycleIsRefused) {
  ExpectRefused({TaskBuilder("fresh"), TaskBuilder("p").DependsOn({"q"}),
                 TaskBuilder("q").DependsOn({"r"}), TaskBuilder("r").DependsOn({"p"})},
                "cycle");
}

TEST_F(SchedulerSubmitTest, SelfDependencyIsRefused) {
  ExpectRefused({TaskBuilder("fresh"), TaskBuilder("me").DependsOn({"me"})}, "cycle");
}

TEST_F(SchedulerSubmitTest, DependencyOnALaterTaskOfTheSameBatchIsAccepted) {
  ASSERT_TRUE(d_.Submit({TaskBuilder("x").DependsOn({"y"}), TaskBuilder("y")}).ok());
  EXPECT_EQ(d_.State("x"), TaskState::kWaiting);
  d_.Turn();
  d_.Exit("y", 0);
  EXPECT_EQ(d_.State("x"), TaskState::kReady);
}

}  // namespace
}  // namespace allot
