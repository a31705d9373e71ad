#include "core/id_index.h"

#include <gtest/gtest.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "common/rng.h"

namespace allot {
namespace {

TEST(IdIndexTest, FindsWhatWasAddedAndNothingElse) {
  std::vector<std::string> ids = {"a", "b", "sim-0000001", "a-much-longer-id-than-sso-allows"};
  IdIndex index(&ids);
  EXPECT_FALSE(index.Find("a"));
  for (TaskIndex t = 0; t < ids.size(); ++t) EXPECT_TRUE(index.Add(t));
  EXPECT_EQ(index.size(), 4u);
  for (TaskIndex t = 0; t < ids.size(); ++t) EXPECT_EQ(index.Find(ids[t]), t);
  EXPECT_FALSE(index.Find(""));
  EXPECT_FALSE(index.Find("c"));
  EXPECT_FALSE(index.Find("a-much-longer-id-than-sso-allow"));
}

TEST(IdIndexTest, GrowsAndMatchesAHashMapOnManyIds) {
  SplitMixRng rng(7);
  std::vector<std::string> ids;
  std::unordered_map<std::string, TaskIndex> naive;
  IdIndex index(&ids);
  while (ids.size() < 100000) {
    std::string id = "t" + std::to_string(rng.Uniform(10'000'000));
    if (naive.count(id)) continue;
    naive[id] = static_cast<TaskIndex>(ids.size());
    ids.push_back(id);
    index.Add(static_cast<TaskIndex>(ids.size() - 1));
  }
  for (const auto& [id, t] : naive) ASSERT_EQ(index.Find(id), t) << id;
  for (int i = 0; i < 10000; ++i) {
    std::string probe = "u" + std::to_string(i);
    ASSERT_FALSE(index.Find(probe));
  }
}

TEST(IdIndexTest, ReserveKeepsEntries) {
  std::vector<std::string> ids = {"x", "y"};
  IdIndex index(&ids);
  index.Add(0);
  index.Reserve(1000);
  index.Add(1);
  EXPECT_EQ(index.Find("x"), 0u);
  EXPECT_EQ(index.Find("y"), 1u);
}

TEST(IdIndexTest, RemovingTheNewestEntriesLeavesTheOthersFindable) {
  std::vector<std::string> ids;
  IdIndex index(&ids);
  for (int i = 0; i < 500; ++i) {
    ids.push_back("id" + std::to_string(i % 2 ? i : i * 7919));
    index.Add(static_cast<TaskIndex>(i));
  }
  for (int i = 499; i >= 300; --i) index.RemoveNewest(static_cast<TaskIndex>(i));
  EXPECT_EQ(index.size(), 300u);
  for (int i = 0; i < 500; ++i) {
    EXPECT_EQ(index.Find(ids[i]).has_value(), i < 300) << i;
  }
}

TEST(IdIndexTest, AddRefusesAnIdThatIsTaken) {
  std::vector<std::string> ids = {"x", "y", "x"};
  IdIndex index(&ids);
  EXPECT_TRUE(index.Add(0));
  EXPECT_TRUE(index.Add(1));
  EXPECT_FALSE(index.Add(2));
  EXPECT_EQ(index.size(), 2u);
  EXPECT_EQ(index.Find("x"), 0u);
}

}  // namespace
}  // namespace allot
