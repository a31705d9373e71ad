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

TEST(TaskTableDeathTest, ReadingAReleasedSpecIsAnInternalError) {
  TaskTable table;
  ASSERT_TRUE(table.BeginBatch(SpecBatch(Specs({"gone"}))).ok());
  table.CommitBatch(Specs({"gone"}));
  table.SetState(0, TaskState::kCanceled);
  EXPECT_DEATH((void)table.spec(0), "spec of finished task 'gone'");
}

}  // namespace
}  // namespace allot
