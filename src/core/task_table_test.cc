#include "core/task_table.h"

#include <gtest/gtest.h>

#include "testing/task_builder.h"

namespace allot {
namespace {

std::vector<TaskSpec> Specs(std::initializer_list<const char*> ids) {
  std::vector<TaskSpec> out;
  for (const char* id : ids) out.push_back(TaskBuilder(id).Cores(2).Priority(3));
  return out;
}

TEST(TaskTableTest, ABatchIsFindableWhileOpenAndForgottenWhenAbandoned) {
  TaskTable table;
  ASSERT_TRUE(table.BeginBatch(SpecBatch(Specs({"a", "b"}))).ok());
  EXPECT_EQ(table.Find("b"), 1u);  // dependencies may name tasks of the same batch
  EXPECT_EQ(table.size(), 0u);
  table.AbandonBatch();
  EXPECT_FALSE(table.Find("a"));
  ASSERT_TRUE(table.BeginBatch(SpecBatch(Specs({"a"}))).ok());
  EXPECT_EQ(table.CommitBatch(Specs({"a"})), 0u);
  EXPECT_EQ(table.size(), 1u);
  EXPECT_EQ(table.counts()[static_cast<int>(TaskState::kWaiting)], 1);
}

TEST(TaskTableTest, DuplicateIdsAreRefusedChangingNothing) {
  TaskTable table;
  ASSERT_TRUE(table.BeginBatch(SpecBatch(Specs({"a"}))).ok());
  table.CommitBatch(Specs({"a"}));
  Status dup = table.BeginBatch(SpecBatch(Specs({"x", "a"})));
  EXPECT_EQ(dup.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(dup.message().find("'a'"), std::string::npos) << dup.message();
  EXPECT_FALSE(table.Find("x"));
  Status within = table.BeginBatch(SpecBatch(Specs({"y", "y"})));
  EXPECT_FALSE(within.ok());
  EXPECT_FALSE(table.Find("y"));
  EXPECT_EQ(table.Find("a"), 0u);
}

TEST(TaskTableTest, AFinishedTaskKeepsItsIdAndBriefButNotItsSpec) {
  TaskTable table;
  ASSERT_TRUE(table.BeginBatch(SpecBatch(Specs({"a"}))).ok());
  table.CommitBatch(Specs({"a"}));
  table.SetState(0, TaskState::kReady);
  table.SetState(0, TaskState::kRunning);
  EXPECT_TRUE(table.has_spec(0));
  table.SetState(0, TaskState::kSucceeded);
  EXPECT_FALSE(table.has_spec(0));
  EXPECT_EQ(table.id(0), "a");
  EXPECT_EQ(table.brief(0).cores, 2);
  EXPECT_EQ(table.brief(0).priority, 3);
  EXPECT_EQ(table.terminal(), 1);
  EXPECT_EQ(table.counts()[static_cast<int>(TaskState::kSucceeded)], 1);
  EXPECT_EQ(table.counts()[static_cast<int>(TaskState::kRunning)], 0);
}

std::shared_ptr<std::vector<Submission>> Block(int n) {
  auto block = std::make_shared<std::vector<Submission>>();
  for (int i = 0; i < n; ++i) {
    Submission& s = block->emplace_back();
    s.index = static_cast<TaskIndex>(i);
    s.spec = TaskBuilder("t" + std::to_string(i)).Cores(2).Priority(i);
  }
  return block;
}

TaskTable* Recovered(TaskTable* table, std::shared_ptr<std::vector<Submission>> block,
                     const std::vector<bool>& finished) {
  std::span<Submission> all(*block);
  EXPECT_TRUE(table->BeginBatch(SpecBatch(std::span<const Submission>(all))).ok());
  table->CommitRecovered(all, finished, all, std::move(block));
  return table;
}

TEST(TaskTableTest, RecoveredSpecsStayInTheLoadersBlockUntilTheLastOneIsReleased) {
  TaskTable table;
  auto block = Block(4);
  std::weak_ptr<std::vector<Submission>> watch = block;
  const TaskSpec* third = &(*block)[2].spec;
  Recovered(&table, std::move(block), {false, false, false, true});
  EXPECT_EQ(&table.spec(2), third) << "not copied: the spec where the journal decoded it";
  EXPECT_EQ(table.spec(2).id, "t2");
  EXPECT_FALSE(table.has_spec(3));
  EXPECT_EQ(table.brief(3).priority, 3);
  for (TaskIndex t = 0; t < 3; ++t) {
    ASSERT_FALSE(watch.expired()) << "still needed by task " << t;
    table.SetState(t, TaskState::kCanceled);
    EXPECT_EQ(table.brief(t).priority, static_cast<int>(t)) << "the brief outlives the spec";
  }
  EXPECT_TRUE(watch.expired()) << "no spec left in it: the block is freed";
  table.RestoreSpec(1, TaskBuilder("t1"));  // a requeue after that gets a spec of its own
  EXPECT_EQ(table.spec(1).id, "t1");
}

TEST(TaskTableTest, AMostlyFinishedBlockIsNotKeptForItsFewUnfinishedSpecs) {
  TaskTable table;
  auto block = Block(4);
  std::weak_ptr<std::vector<Submission>> watch = block;
  Recovered(&table, block, {true, true, false, true});
  block.reset();
  EXPECT_TRUE(watch.expired()) << "416 B per finished task must not stay alive";
  EXPECT_EQ(table.spec(2).id, "t2");
}

TEST(TaskTableDeathTest, ReadingAReleasedSpecIsAnInternalError) {
  TaskTable table;
  ASSERT_TRUE(table.BeginBatch(SpecBatch(Specs({"gone"}))).ok());
  table.CommitBatch(Specs({"gone"}));
  table.SetState(0, TaskState::kCanceled);
  EXPECT_DEATH((void)table.spec(0), "spec of finished task 'gone'");
}

}  // namespace
}  // namespace allot
