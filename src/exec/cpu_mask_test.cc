#include "exec/thread_affinity.h"

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

TEST(ThreadAffinityTest, PinsAndRestoresTheCallingThread) {
  cpu_set_t before;
  ASSERT_EQ(sched_getaffinity(0, sizeof(before), &before), 0);
  int first = 0;
  while (!CPU_ISSET(first, &before)) ++first;
  ThreadAffinity affinity;
  cpu_set_t one;
  ASSERT_TRUE(CpuSetFromList({first}, &one).ok());
  ASSERT_TRUE(affinity.Pin(one).ok());
  cpu_set_t pinned;
  ASSERT_EQ(sched_getaffinity(0, sizeof(pinned), &pinned), 0);
  EXPECT_TRUE(CPU_EQUAL(&pinned, &one));
  affinity.Restore();
  cpu_set_t after;
  ASSERT_EQ(sched_getaffinity(0, sizeof(after), &after), 0);
  EXPECT_TRUE(CPU_EQUAL(&after, &before));
}

TEST(ThreadAffinityTest, UnusableCpusAreAnInvalidArgument) {
  cpu_set_t before;
  ASSERT_EQ(sched_getaffinity(0, sizeof(before), &before), 0);
  int outside = CPU_SETSIZE - 1;
  if (CPU_ISSET(outside, &before)) GTEST_SKIP() << "every CPU id is usable here";
  ThreadAffinity affinity;
  cpu_set_t set;
  ASSERT_TRUE(CpuSetFromList({outside}, &set).ok());
  EXPECT_EQ(affinity.Pin(set).code(), StatusCode::kInvalidArgument);
  affinity.Restore();
  cpu_set_t after;
  ASSERT_EQ(sched_getaffinity(0, sizeof(after), &after), 0);
  EXPECT_TRUE(CPU_EQUAL(&after, &before));
}

}  // namespace
}  // namespace allot
