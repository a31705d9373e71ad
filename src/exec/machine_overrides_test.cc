#include "exec/machine_overrides.h"

#include <gtest/gtest.h>

namespace allot {
namespace {

constexpr int64_t kGiB = int64_t{1} << 30;

Machine TwoCpus() {
  Machine machine;
  machine.cpus = {Cpu{0, 0, 0, 0}, Cpu{1, 0, 0, 1}};
  machine.memory_bytes = 8 * kGiB;
  machine.gpus = {0, 1};
  return machine;
}

TEST(ApplyMachineOverridesTest, NoOverridesKeepsTheMachine) {
  auto machine = ApplyMachineOverrides(TwoCpus(), {});
  ASSERT_TRUE(machine.ok());
  EXPECT_EQ(*machine, TwoCpus());
}

TEST(ApplyMachineOverridesTest, CoresTakesTheFirstCpus) {
  MachineOverrides overrides;
  overrides.cores = 1;
  auto machine = ApplyMachineOverrides(TwoCpus(), overrides);
  ASSERT_TRUE(machine.ok());
  EXPECT_EQ(machine->cpus, std::vector<Cpu>{(Cpu{0, 0, 0, 0})});
}

TEST(ApplyMachineOverridesTest, TooManyCoresNamesTheFlagAndWhatIsAvailable) {
  MachineOverrides overrides;
  overrides.cores = 8;
  auto machine = ApplyMachineOverrides(TwoCpus(), overrides);
  ASSERT_FALSE(machine.ok());
  EXPECT_EQ(machine.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(machine.status().message(), "--cores 8: only 2 CPUs are available to this process");
}

TEST(SpreadSlotsTest, SlotsBeyondTheCpusShareThemRoundRobinWithIdsNoCpuHas) {
  Machine machine = SpreadSlots(TwoCpus(), 5);
  ASSERT_EQ(machine.cpus.size(), 5u);
  EXPECT_EQ(machine.cpus[0], TwoCpus().cpus[0]);
  EXPECT_EQ(machine.cpus[1], TwoCpus().cpus[1]);
  std::vector<std::pair<int, int>> slots;  // (id, runs_on)
  for (size_t i = 2; i < 5; ++i) slots.emplace_back(machine.cpus[i].os_index, machine.cpus[i].runs_on);
  EXPECT_EQ(slots, (std::vector<std::pair<int, int>>{{2, 0}, {3, 1}, {4, 0}}));
  EXPECT_EQ(machine.cpus[3].core, 1);  // the topology of the CPU it runs on
  EXPECT_EQ(SharedSlots(machine), 3);
  EXPECT_EQ(SharedSlots(TwoCpus()), 0);
  EXPECT_EQ(machine.Capacity().cores, 5);
}

TEST(SpreadSlotsTest, SlotIdsStayAboveSparseCpuIds) {
  Machine machine;
  machine.cpus = {Cpu{4, 0, 0, 4}, Cpu{9, 0, 0, 9}};
  machine = SpreadSlots(machine, 3);
  EXPECT_EQ(machine.cpus[2].os_index, 10);
  EXPECT_EQ(machine.cpus[2].runs_on, 4);
}

TEST(ApplyMachineOverridesTest, CoresMustBePositive) {
  MachineOverrides overrides;
  overrides.cores = 0;
  EXPECT_EQ(ApplyMachineOverrides(TwoCpus(), overrides).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ApplyMachineOverridesTest, MemoryMayOnlyShrink) {
  MachineOverrides overrides;
  overrides.memory_bytes = 2 * kGiB;
  auto machine = ApplyMachineOverrides(TwoCpus(), overrides);
  ASSERT_TRUE(machine.ok());
  EXPECT_EQ(machine->memory_bytes, 2 * kGiB);

  overrides.memory_bytes = 16 * kGiB;
  auto too_much = ApplyMachineOverrides(TwoCpus(), overrides);
  ASSERT_FALSE(too_much.ok());
  EXPECT_EQ(too_much.status().message(),
            "--memory 16 GiB: only 8 GiB is available to this process");
  overrides.memory_bytes = 0;
  EXPECT_FALSE(ApplyMachineOverrides(TwoCpus(), overrides).ok());
}

TEST(ApplyMachineOverridesTest, GpusMustBeDetectedAndDistinct) {
  MachineOverrides overrides;
  overrides.gpus = std::vector<int>{1};
  auto machine = ApplyMachineOverrides(TwoCpus(), overrides);
  ASSERT_TRUE(machine.ok());
  EXPECT_EQ(machine->gpus, std::vector<int>{1});

  overrides.gpus = std::vector<int>{0, 4};
  auto missing = ApplyMachineOverrides(TwoCpus(), overrides);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "--gpus 0,4: GPU 4 is not available to this process; available: 0,1");
  overrides.gpus = std::vector<int>{1, 1};
  EXPECT_EQ(ApplyMachineOverrides(TwoCpus(), overrides).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ApplyMachineOverridesTest, NoGpusOverrideKeepsGpuLessMachines) {
  Machine machine = TwoCpus();
  machine.gpus.clear();
  MachineOverrides overrides;
  overrides.gpus = std::vector<int>{};
  EXPECT_TRUE(ApplyMachineOverrides(machine, overrides).ok());
  overrides.gpus = std::vector<int>{0};
  EXPECT_FALSE(ApplyMachineOverrides(machine, overrides).ok());
}

TEST(ParseGpuFlagTest, ACountMeansTheFirstDevices) {
  auto ids = ParseGpuFlag("3");
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, (std::vector<int>{0, 1, 2}));
  EXPECT_TRUE(ParseGpuFlag("0")->empty());
}

TEST(ParseGpuFlagTest, ACommaMakesAListOfDeviceIds) {
  EXPECT_EQ(*ParseGpuFlag("0,3"), (std::vector<int>{0, 3}));
  EXPECT_EQ(*ParseGpuFlag("3,"), (std::vector<int>{3}));
}

TEST(ParseGpuFlagTest, BadTextNamesTheFlag) {
  EXPECT_EQ(ParseGpuFlag("two").status().message(),
            "--gpus two: expected a count (2) or a list of device ids (0,3; one id: 3,)");
  EXPECT_EQ(ParseGpuFlag("0,x").status().message(), "--gpus 0,x: 'x' is not a device id");
}

TEST(DetectMachineFromFlagsTest, AnUnreadableMemorySizeNamesTheFlag) {
  MachineFlags flags;
  flags.memory = "lots";
  auto machine = DetectMachineFromFlags(flags);
  ASSERT_FALSE(machine.ok());
  EXPECT_EQ(machine.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(machine.status().message().rfind("--memory lots: ", 0), 0u)
      << machine.status().message();
}

}  // namespace
}  // namespace allot
