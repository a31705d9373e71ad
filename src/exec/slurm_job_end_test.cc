#include "exec/slurm_job_end.h"

#include <gtest/gtest.h>

#include <map>

namespace allot {
namespace {

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

SqueueEndLookup Answer(std::optional<std::string> answer, int* asked = nullptr) {
  return [answer, asked](const std::string&) {
    if (asked) ++*asked;
    return answer;
  };
}

TEST(SlurmJobEndTest, SlurmJobEndTimeComesFirst) {
  int asked = 0;
  EXPECT_EQ(SlurmJobEnd(Env({{"SLURM_JOB_END_TIME", "1764734400"}, {"SLURM_JOB_ID", "7"}}),
                        Answer("2026-01-01T00:00:00", &asked)),
            "1764734400");
  EXPECT_EQ(asked, 0);
}

TEST(SlurmJobEndTest, WithoutItSqueueIsAskedAboutTheJob) {
  std::string job;
  auto squeue = [&job](const std::string& id) -> std::optional<std::string> {
    job = id;
    return "2026-12-03T00:54:47\n";
  };
  EXPECT_EQ(SlurmJobEnd(Env({{"SLURM_JOB_ID", "42"}}), squeue), "2026-12-03T00:54:47");
  EXPECT_EQ(job, "42");
}

TEST(SlurmJobEndTest, NoJobOrNoTimeLimitIsNoEnd) {
  EXPECT_EQ(SlurmJobEnd(Env({}), Answer("2026-12-03T00:54:47")), std::nullopt);
  EXPECT_EQ(SlurmJobEnd(Env({{"SLURM_JOB_ID", "42"}}), Answer("Unknown")), std::nullopt);
  EXPECT_EQ(SlurmJobEnd(Env({{"SLURM_JOB_ID", "42"}}), Answer("N/A")), std::nullopt);
  EXPECT_EQ(SlurmJobEnd(Env({{"SLURM_JOB_ID", "42"}}), Answer(std::nullopt)), std::nullopt);
  EXPECT_EQ(SlurmJobEnd(Env({{"SLURM_JOB_ID", "42; rm -rf /"}}), Answer("x")), std::nullopt);
  EXPECT_EQ(SlurmJobEnd(Env({{"SLURM_JOB_END_TIME", "0"}}), Answer(std::nullopt)), std::nullopt);
}

}  // namespace
}  // namespace allot
