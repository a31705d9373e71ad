#include "exec/slurm_executor_machine.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model/task_spec.h"

namespace allot {
namespace {

using ::testing::HasSubstr;

TEST(SlurmExecutorMachineTest, OffersSlotsStandingForTheClusterNotThisHost) {
  Result<Machine> m = SlurmExecutorMachine(MachineFlags{});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->executor, kSlurmExecutor);
  EXPECT_EQ(m->cpus.size(), static_cast<size_t>(kSlurmExecutorCores));
  EXPECT_EQ(m->memory_bytes, kSlurmExecutorMemory);
  EXPECT_EQ(m->gpus.size(), static_cast<size_t>(kSlurmExecutorGpus));
  EXPECT_EQ(m->cpus.back().os_index, kSlurmExecutorCores - 1);
}

TEST(SlurmExecutorMachineTest, TheFlagsBoundWhatItKeepsSubmitted) {
  MachineFlags flags;
  flags.cores = 100;
  flags.memory = "1T";
  flags.gpus = "8";
  flags.resources = {"licenses=3"};
  Result<Machine> m = SlurmExecutorMachine(flags);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->cpus.size(), 100u);
  EXPECT_EQ(m->memory_bytes, int64_t{1} << 40);
  EXPECT_EQ(m->gpus.size(), 8u);
  EXPECT_EQ(m->custom.at("licenses"), 3);
}

TEST(SlurmExecutorMachineTest, BadFlagsAreErrorsNamingTheFlag) {
  MachineFlags flags;
  flags.cores = 0;
  EXPECT_THAT(SlurmExecutorMachine(flags).status().message(), HasSubstr("--cores 0"));
  flags.cores.reset();
  flags.memory = "lots";
  EXPECT_THAT(SlurmExecutorMachine(flags).status().message(), HasSubstr("--memory lots"));
}

}  // namespace
}  // namespace allot
