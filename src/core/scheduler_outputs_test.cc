// Declared outputs in the core: a producer's journaled outputs reach its dependents
// (Scheduler::InputsOf), after a restart too.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/scheduler.h"
#include "model/output_manifest.h"
#include "testing/fake_launcher_driver.h"
#include "testing/task_builder.h"
#include "testing/test_machines.h"

namespace allot {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

AttemptUsage Produced(std::vector<std::string> paths) {
  AttemptUsage u;
  u.exit_code = 0;
  std::vector<OutputFile> files;
  for (std::string& p : paths) files.push_back({std::move(p), 1, "00"});
  u.outputs = OutputManifestToJson(files);
  return u;
}

TEST(SchedulerOutputsTest, ADependentGetsItsProducersOutputsInDependsOnOrder) {
  FakeLauncherDriver d(FlatMachine(2));
  ASSERT_TRUE(d.Submit({TaskBuilder("a"), TaskBuilder("b"), TaskBuilder("plain"),
                        TaskBuilder("merge").DependsOn({"b", "plain", "a"})})
                  .ok());
  d.Turn();
  d.ExitExecution(d.Live("a")->execution, Produced({"/r/a1", "/r/a2"}));
  d.ExitExecution(d.Live("b")->execution, Produced({"/r/b"}));
  d.Turn();
  d.Exit("plain", 0);
  d.Turn();
  ASSERT_TRUE(d.IsRunning("merge"));
  EXPECT_THAT(d.scheduler().InputsOf(d.Index("merge")), ElementsAre("/r/b", "/r/a1", "/r/a2"));

  ASSERT_TRUE(d.Restart().ok());
  EXPECT_THAT(d.scheduler().InputsOf(d.Index("merge")), ElementsAre("/r/b", "/r/a1", "/r/a2"))
      << "a recovered scheduler reads them from the journal";
}

TEST(SchedulerOutputsTest, ADependentGetsItsDependenciesResultsAlsoAfterARestart) {
  FakeLauncherDriver d(FlatMachine(2));
  ASSERT_TRUE(d.Submit({TaskBuilder("a"), TaskBuilder("b"),
                        TaskBuilder("use").DependsOn({"b", "a"})})
                  .ok());
  d.Turn();
  AttemptUsage a;
  a.exit_code = 0;
  a.result = R"({"x":1})";
  d.ExitExecution(d.Live("a")->execution, a);
  d.Exit("b", 0);  // returns nothing
  d.Turn();
  ASSERT_TRUE(d.IsRunning("use"));
  EXPECT_EQ(d.scheduler().DepResultsOf(d.Index("use")), R"({"a":{"x":1}})");
  ASSERT_TRUE(d.Restart().ok());
  EXPECT_EQ(d.scheduler().DepResultsOf(d.Index("use")), R"({"a":{"x":1}})");
}

TEST(SchedulerOutputsTest, ProducersThatDeclaredNothingGiveNothing) {
  FakeLauncherDriver d(FlatMachine(1));
  ASSERT_TRUE(d.Submit({TaskBuilder("a"), TaskBuilder("use").DependsOn({"a"})}).ok());
  d.Turn();
  EXPECT_THAT(d.scheduler().InputsOf(d.Index("a")), IsEmpty());
  d.Exit("a", 0);
  d.Turn();
  ASSERT_TRUE(d.IsRunning("use"));
  EXPECT_THAT(d.scheduler().InputsOf(d.Index("use")), IsEmpty());
}

}  // namespace
}  // namespace allot
