#include "worker/worker_name.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <regex>

namespace allot {
namespace {

TEST(DefaultWorkerNameTest, HostPidAndRandomOutsideSlurm) {
  std::string name = DefaultWorkerName("login1", std::nullopt);
  EXPECT_TRUE(
      std::regex_match(name, std::regex("login1:" + std::to_string(getpid()) + ":[0-9a-f]{8}")))
      << name;
  EXPECT_NE(name, DefaultWorkerName("login1", std::nullopt));
}

TEST(DefaultWorkerNameTest, TheSlurmNodeInsteadOfTheHostInAJobStep) {
  SlurmAllocation slurm;
  slurm.node = "n3";
  std::string name = DefaultWorkerName("vm", slurm);
  EXPECT_TRUE(std::regex_match(name, std::regex("n3:" + std::to_string(getpid()) + ":[0-9a-f]{8}")))
      << name;
}

}  // namespace
}  // namespace allot
