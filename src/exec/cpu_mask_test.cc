#include "exec/cpu_mask.h"

#include <gtest/gtest.h>

namespace allot {
namespace {

TEST(CpuSetFromListTest, SetsExactlyTheListedCpus) {
  cpu_set_t set;
  ASSERT_TRUE(CpuSetFromList({0, 3}, &set).ok());
  EXPECT_EQ(CPU_COUNT(&set), 2);
  EXPECT_TRUE(CPU_ISSET(0, &set));
  EXPECT_TRUE(CPU_ISSET(3, &set));
}

TEST(CpuSetFromListTest, RejectsEmptyListsAndIdsOutOfRange) {
  cpu_set_t set;
  EXPECT_EQ(CpuSetFromList({}, &set).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CpuSetFromList({-1}, &set).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CpuSetFromList({CPU_SETSIZE}, &set).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace allot
