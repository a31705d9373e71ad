#include "exec/slurm_environment.h"

#include <gtest/gtest.h>

#include <map>

namespace allot {
namespace {

constexpr int64_t kMiB = int64_t{1} << 20;

using Env = std::map<std::string, std::string>;

std::optional<SlurmAllocation> Read(const Env& env) {
  return ReadSlurmAllocation([&env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  });
}

// What srun gave each task of `srun --ntasks-per-node=1` in `sbatch -N3 --ntasks-per-node=1`
// on the local test cluster (Slurm 22.05, TaskPlugin=task/none), on the second node.
Env StepEnv() {
  return {{"SLURMD_NODENAME", "n2"},
          {"SLURM_CPUS_ON_NODE", "1"},
          {"SLURM_JOB_CPUS_PER_NODE", "1(x3)"},
          {"SLURM_NODEID", "1"},
          {"SLURM_STEP_ID", "0"},
          {"SLURM_STEP_TASKS_PER_NODE", "1(x3)"},
          {"SLURM_TASKS_PER_NODE", "1(x3)"}};
}

TEST(SlurmCountAtNodeTest, ReadsRepeatsAndPlainItems) {
  EXPECT_EQ(SlurmCountAtNode("4", 0), 4);
  EXPECT_EQ(SlurmCountAtNode("2(x3),1", 0), 2);
  EXPECT_EQ(SlurmCountAtNode("2(x3),1", 2), 2);
  EXPECT_EQ(SlurmCountAtNode("2(x3),1", 3), 1);
  EXPECT_EQ(SlurmCountAtNode("1,8(x2),3", 2), 8);
  EXPECT_EQ(SlurmCountAtNode("1,8(x2),3", 3), 3);
}

TEST(SlurmCountAtNodeTest, PastTheEndOrMalformedIsNothing) {
  EXPECT_EQ(SlurmCountAtNode("2(x3),1", 4), std::nullopt);
  EXPECT_EQ(SlurmCountAtNode("2(x3),1", -1), std::nullopt);
  EXPECT_EQ(SlurmCountAtNode("", 0), std::nullopt);
  EXPECT_EQ(SlurmCountAtNode("2(x3", 0), std::nullopt);
  EXPECT_EQ(SlurmCountAtNode("2(x0)", 0), std::nullopt);
  EXPECT_EQ(SlurmCountAtNode("two", 0), std::nullopt);
  EXPECT_EQ(SlurmCountAtNode("2,,1", 1), std::nullopt);
}

TEST(ReadSlurmAllocationTest, OutsideSlurmIsNothing) {
  EXPECT_EQ(Read({}), std::nullopt);
  // The shell of salloc runs on the submit host: job variables, but no node.
  EXPECT_EQ(Read({{"SLURM_JOB_ID", "7"}, {"SLURM_JOB_CPUS_PER_NODE", "4(x2)"}}), std::nullopt);
  EXPECT_EQ(Read({{"SLURMD_NODENAME", ""}, {"SLURM_CPUS_ON_NODE", "4"}}), std::nullopt);
}

TEST(ReadSlurmAllocationTest, OneTaskPerNodeGetsTheStepsCpusOnTheNode) {
  auto a = Read(StepEnv());
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->node, "n2");
  EXPECT_EQ(a->cpus, 1);
  EXPECT_EQ(a->memory_bytes, std::nullopt);  // the job did not ask for memory
}

TEST(ReadSlurmAllocationTest, TasksOfAStepOnOneNodeShareItsCpusAndMemory) {
  Env env = StepEnv();
  env["SLURM_STEP_TASKS_PER_NODE"] = "4,2(x2)";
  env["SLURM_CPUS_ON_NODE"] = "8";
  env["SLURM_MEM_PER_NODE"] = "1000";
  env["SLURM_NODEID"] = "0";
  EXPECT_EQ(Read(env)->cpus, 2);
  EXPECT_EQ(Read(env)->memory_bytes, 250 * kMiB);
  env["SLURM_NODEID"] = "2";
  EXPECT_EQ(Read(env)->cpus, 4);
  EXPECT_EQ(Read(env)->memory_bytes, 500 * kMiB);
}

TEST(ReadSlurmAllocationTest, TheWholeStepsShareOfTheNodeIsKeptForItsWorkersToDivide) {
  Env env = StepEnv();
  env["SLURM_STEP_TASKS_PER_NODE"] = "2";
  env["SLURM_CPUS_ON_NODE"] = "8";
  env["SLURM_MEM_PER_NODE"] = "1000";
  env["SLURM_NODEID"] = "0";
  EXPECT_EQ(Read(env)->cpus, 4);
  EXPECT_EQ(Read(env)->node_cpus, 8);
  EXPECT_EQ(Read(env)->node_memory_bytes, 1000 * kMiB);
}

TEST(ReadSlurmAllocationTest, CpusPerTaskIsNotTrustedInAStep) {
  // sbatch -c2, then `srun -n2` in it: the step has 2 CPUs for 2 tasks although
  // SLURM_CPUS_PER_TASK still says 2 (observed with Slurm 22.05).
  Env env = StepEnv();
  env["SLURM_CPUS_PER_TASK"] = "2";
  env["SLURM_CPUS_ON_NODE"] = "2";
  env["SLURM_STEP_TASKS_PER_NODE"] = "2";
  env["SLURM_NODEID"] = "0";
  EXPECT_EQ(Read(env)->cpus, 1);
}

TEST(ReadSlurmAllocationTest, ABatchScriptHasTheJobsShareOfTheNode) {
  Env env = {{"SLURMD_NODENAME", "n1"},
             {"SLURM_CPUS_ON_NODE", "6"},
             {"SLURM_NODEID", "0"},
             {"SLURM_TASKS_PER_NODE", "3(x2)"},
             {"SLURM_MEM_PER_CPU", "100"}};
  auto a = Read(env);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->cpus, 6);
  EXPECT_EQ(a->memory_bytes, 600 * kMiB);
}

TEST(ReadSlurmAllocationTest, MoreTasksThanCpusStillGetOne) {
  Env env = StepEnv();
  env["SLURM_CPUS_ON_NODE"] = "2";
  env["SLURM_STEP_TASKS_PER_NODE"] = "3(x3)";
  EXPECT_EQ(Read(env)->cpus, 1);
}

TEST(ReadSlurmAllocationTest, UnreadableValuesLeaveTheFieldUnset) {
  Env env = StepEnv();
  env["SLURM_CPUS_ON_NODE"] = "lots";
  env["SLURM_MEM_PER_NODE"] = "0";
  auto a = Read(env);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->node, "n2");
  EXPECT_EQ(a->cpus, std::nullopt);
  EXPECT_EQ(a->memory_bytes, std::nullopt);

  env = StepEnv();
  env["SLURM_STEP_TASKS_PER_NODE"] = "1(x2)";  // SLURM_NODEID 1 is there, 2 is not
  env["SLURM_NODEID"] = "2";
  a = Read(env);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->cpus, std::nullopt);
}

Machine FourCpus() {
  Machine m;
  m.cpus = {Cpu{0, 0, 0, 0}, Cpu{2, 0, 0, 1}, Cpu{1, 0, 0, 2}, Cpu{3, 0, 0, 3}};
  m.memory_bytes = 1024 * kMiB;
  return m;
}

TEST(NarrowToSlurmAllocationTest, KeepsTheFirstCpusAndCapsMemory) {
  SlurmAllocation a;
  a.cpus = 2;
  a.memory_bytes = 100 * kMiB;
  Machine m = FourCpus();
  NarrowToSlurmAllocation(a, &m);
  EXPECT_EQ(m.cpus, (std::vector<Cpu>{Cpu{0, 0, 0, 0}, Cpu{2, 0, 0, 1}}));
  EXPECT_EQ(m.memory_bytes, 100 * kMiB);
}

TEST(NarrowToSlurmAllocationTest, NeverWidens) {
  SlurmAllocation a;
  a.cpus = 8;
  a.memory_bytes = 4096 * kMiB;
  Machine m = FourCpus();
  NarrowToSlurmAllocation(a, &m);
  EXPECT_EQ(m, FourCpus());
  NarrowToSlurmAllocation(SlurmAllocation{}, &m);
  EXPECT_EQ(m, FourCpus());
}

}  // namespace
}  // namespace allot
