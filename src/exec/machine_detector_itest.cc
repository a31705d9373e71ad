// DetectMachine on the real machine: what this process may use.
#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>

#include "exec/machine_detector.h"

namespace allot {
namespace {

TEST(DetectMachineTest, FindsTheCpusOfTheAffinityMask) {
  auto machine = DetectMachine({});
  ASSERT_TRUE(machine.ok()) << machine.status().ToString();
  ASSERT_GE(machine->cpus.size(), 1u);
  cpu_set_t mask;
  ASSERT_EQ(sched_getaffinity(0, sizeof(mask), &mask), 0);
  EXPECT_EQ(machine->cpus.size(), static_cast<size_t>(CPU_COUNT(&mask)));
  for (const Cpu& cpu : machine->cpus) EXPECT_TRUE(CPU_ISSET(cpu.os_index, &mask));
}

// As under `taskset -c 0`: the worker offers CPU 0, yet the node it shares with other workers
// has every CPU the process was allowed before.
TEST(DetectNodeResourcesTest, TheNodeHasTheCpusTheAffinityMaskLeftOut) {
  cpu_set_t before;
  ASSERT_EQ(sched_getaffinity(0, sizeof(before), &before), 0);
  if (CPU_COUNT(&before) < 2) GTEST_SKIP() << "needs two CPUs";
  cpu_set_t one;
  CPU_ZERO(&one);
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &before)) {
      CPU_SET(cpu, &one);
      break;
    }
  }
  ASSERT_EQ(sched_setaffinity(0, sizeof(one), &one), 0);
  NodeResources node = DetectNodeResources();
  auto machine = DetectMachine({});
  ASSERT_EQ(sched_setaffinity(0, sizeof(before), &before), 0);

  ASSERT_TRUE(machine.ok());
  EXPECT_EQ(machine->cpus.size(), 1u);
  EXPECT_FALSE(node.name.empty());
  EXPECT_GT(node.memory_bytes, 0);
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &before)) continue;
    EXPECT_TRUE(std::any_of(node.cpus.begin(), node.cpus.end(),
                            [&](const Cpu& c) { return c.os_index == cpu; }))
        << "CPU " << cpu << " is missing from the node";
  }
}

TEST(DetectMachineTest, MemoryIsPositiveAndAtMostPhysical) {
  auto machine = DetectMachine({});
  ASSERT_TRUE(machine.ok());
  int64_t physical = static_cast<int64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE);
  EXPECT_GT(machine->memory_bytes, 0);
  EXPECT_LE(machine->memory_bytes, physical);
}

TEST(DetectMachineTest, CoresOverrideTakesTheFirstCpus) {
  auto all = DetectMachine({});
  ASSERT_TRUE(all.ok());
  MachineOverrides overrides;
  overrides.cores = 1;
  auto one = DetectMachine(overrides);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->cpus.size(), 1u);
  EXPECT_EQ(one->cpus[0], all->cpus[0]);
}

TEST(DetectMachineTest, TooManyCoresIsAnErrorNamingTheFlag) {
  MachineOverrides overrides;
  overrides.cores = 100000;
  auto machine = DetectMachine(overrides);
  ASSERT_FALSE(machine.ok());
  EXPECT_EQ(machine.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(machine.status().message().find("--cores 100000: only"), std::string::npos)
      << machine.status().ToString();
}

}  // namespace
}  // namespace allot
