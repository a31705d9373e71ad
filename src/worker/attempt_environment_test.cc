#include "worker/attempt_environment.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace allot {
namespace {

std::vector<std::string> Build(const AttemptEnvironment& env, const TaskSpec& spec,
                               std::vector<int> cpus, std::vector<int> gpus) {
  AttemptFacts f;
  f.spec = &spec;
  f.attempt = 2;
  f.execution_id = spec.id + "@2";
  f.cpus = &cpus;
  f.gpus = &gpus;
  f.task_dir = "/w/" + spec.id;
  return env.Build(f);
}

bool Has(const std::vector<std::string>& env, const std::string& kv) {
  return std::find(env.begin(), env.end(), kv) != env.end();
}

TEST(AttemptEnvironmentTest, SetsTheAllotVariablesOfTheAttempt) {
  AttemptEnvironment env({"PATH=/bin", "HOME=/root"}, /*machine_has_gpus=*/false);
  TaskSpec spec;
  spec.id = "sim-1";
  auto e = Build(env, spec, {2, 3}, {});
  EXPECT_TRUE(Has(e, "PATH=/bin"));
  EXPECT_TRUE(Has(e, "ALLOT_TASK_ID=sim-1"));
  EXPECT_TRUE(Has(e, "ALLOT_ATTEMPT=2"));
  EXPECT_TRUE(Has(e, "ALLOT_EXECUTION_ID=sim-1@2"));
  EXPECT_TRUE(Has(e, "ALLOT_CORES=2,3"));
  EXPECT_TRUE(Has(e, "ALLOT_WORKDIR=/w/sim-1"));
  EXPECT_TRUE(Has(e, "OMP_NUM_THREADS=2"));
  EXPECT_FALSE(std::any_of(e.begin(), e.end(),
                           [](const std::string& kv) { return kv.rfind("CUDA_", 0) == 0; }));
}

TEST(AttemptEnvironmentTest, SetsTheAllocationSchedulersNamesForIdAndTaskDir) {
  AttemptEnvironment env({"PILOT_TASK_ID=outer", "PILOT_TASK_DIR=/outer"}, false);
  TaskSpec spec;
  spec.id = "alpha0p1_beta10_seed42";
  auto e = Build(env, spec, {0}, {});
  EXPECT_TRUE(Has(e, "PILOT_TASK_ID=alpha0p1_beta10_seed42"));
  EXPECT_TRUE(Has(e, "PILOT_TASK_DIR=/w/alpha0p1_beta10_seed42"));
  EXPECT_FALSE(Has(e, "PILOT_TASK_ID=outer"));
  EXPECT_FALSE(Has(e, "PILOT_TASK_DIR=/outer"));
}

TEST(AttemptEnvironmentTest, ParentValuesOfPerAttemptVariablesAreReplaced) {
  AttemptEnvironment env({"OMP_NUM_THREADS=64", "ALLOT_TASK_ID=outer"}, false);
  TaskSpec spec;
  spec.id = "t";
  auto e = Build(env, spec, {0}, {});
  EXPECT_FALSE(Has(e, "OMP_NUM_THREADS=64"));
  EXPECT_FALSE(Has(e, "ALLOT_TASK_ID=outer"));
  EXPECT_TRUE(Has(e, "OMP_NUM_THREADS=1"));
}

TEST(AttemptEnvironmentTest, TaskEnvWinsOverEverything) {
  AttemptEnvironment env({"PATH=/bin"}, false);
  TaskSpec spec;
  spec.id = "t";
  spec.env = {{"PATH", "/opt/bin"}, {"OMP_NUM_THREADS", "3"}, {"NEW", "x=y"}};
  auto e = Build(env, spec, {0, 1}, {});
  EXPECT_TRUE(Has(e, "PATH=/opt/bin"));
  EXPECT_TRUE(Has(e, "OMP_NUM_THREADS=3"));
  EXPECT_TRUE(Has(e, "NEW=x=y"));
  EXPECT_EQ(std::count_if(e.begin(), e.end(),
                          [](const std::string& kv) { return kv.rfind("PATH=", 0) == 0; }),
            1);
}

TEST(AttemptEnvironmentTest, GpuMachinesHideGpusFromTasksThatAskedForNone) {
  AttemptEnvironment env({"CUDA_VISIBLE_DEVICES=0,1,2,3"}, /*machine_has_gpus=*/true);
  TaskSpec spec;
  spec.id = "t";
  EXPECT_TRUE(Has(Build(env, spec, {0}, {}), "CUDA_VISIBLE_DEVICES="));
  EXPECT_TRUE(Has(Build(env, spec, {0}, {1, 3}), "CUDA_VISIBLE_DEVICES=1,3"));
}

}  // namespace
}  // namespace allot
