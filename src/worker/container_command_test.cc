// The exact command line of a container task, for each engine (worker/container_command.h).
// Only podman runs for real in the e2e tests (tests/e2e/test_job_types.py); these pin what
// docker, apptainer and singularity are given.
#include "worker/container_command.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace allot {
namespace {

using ::testing::ElementsAre;
using Words = std::vector<std::string>;

ContainerLaunch Launch() {
  ContainerLaunch l;
  l.cwd = "/w/runs/1";
  l.same_path = {"/w/out/sim", "/w/runs/1"};
  l.cpus = {2, 3};
  l.memory_bytes = 536870912;
  l.env = {{"ALLOT_TASK_ID", "sim"}, {"G4DATA", "/opt/g4"}};
  return l;
}

ContainerJob Job(const std::string& engine, const std::string& command) {
  ContainerJob j;
  j.image = "localhost/sim:1";
  j.engine = engine;
  j.command = command;
  j.mounts = {"/data:/data:ro"};
  return j;
}

TEST(ContainerCommandTest, PodmanRunsWithPinningMemoryMountsAndEnvironment) {
  EXPECT_EQ(ContainerArgv(Job("podman", "./sim --seed 1"), Launch()),
            (Words{"podman", "run", "--rm", "--init", "--cpuset-cpus", "2,3", "--memory",
                   "536870912", "--volume", "/w/out/sim:/w/out/sim", "--volume",
                   "/w/runs/1:/w/runs/1", "--volume", "/data:/data:ro", "--workdir", "/w/runs/1",
                   "--env", "ALLOT_TASK_ID=sim", "--env", "G4DATA=/opt/g4", "localhost/sim:1",
                   "./sim", "--seed", "1"}));
}

TEST(ContainerCommandTest, DockerIsPodmansCommandLine) {
  Words podman = ContainerArgv(Job("podman", "x"), Launch());
  Words docker = ContainerArgv(Job("docker", "x"), Launch());
  podman[0] = "docker";
  EXPECT_EQ(docker, podman);
}

TEST(ContainerCommandTest, ShellSyntaxRunsUnderShInsideAndNoCommandIsTheImages) {
  ContainerLaunch l;
  l.cwd = "/t";
  l.same_path = {"/t"};
  ContainerJob j = Job("podman", "echo $HOME > out");
  j.mounts.clear();
  EXPECT_EQ(ContainerArgv(j, l),
            (Words{"podman", "run", "--rm", "--init", "--volume", "/t:/t", "--workdir", "/t",
                   "localhost/sim:1", "/bin/sh", "-c", "echo $HOME > out"}));
  j.command.clear();
  EXPECT_EQ(ContainerArgv(j, l).back(), "localhost/sim:1");
}

TEST(ContainerCommandTest, ApptainerAndSingularityExecWithBindsAndACleanEnvironment) {
  const Words expected = {"apptainer", "exec", "--cleanenv", "--pwd", "/w/runs/1", "--bind",
                          "/w/out/sim:/w/out/sim", "--bind", "/w/runs/1:/w/runs/1", "--bind",
                          "/data:/data:ro", "--env", "ALLOT_TASK_ID=sim", "--env",
                          "G4DATA=/opt/g4", "localhost/sim:1", "./sim"};
  EXPECT_EQ(ContainerArgv(Job("apptainer", "./sim"), Launch()), expected);
  Words singularity = expected;
  singularity[0] = "singularity";
  EXPECT_EQ(ContainerArgv(Job("singularity", "./sim"), Launch()), singularity);
  EXPECT_EQ(ContainerArgv(Job("apptainer", ""), Launch())[1], "run");
}

TEST(ContainerCommandTest, OnlyAllotsAndTheTasksOwnVariablesGoIn) {
  const std::vector<std::string> env = {"PATH=/usr/bin", "HOME=/root", "ALLOT_TASK_ID=a",
                                        "PILOT_TASK_DIR=/w/a", "JOB_PARAMS_FILE=/w/a/params.json",
                                        "OMP_NUM_THREADS=2", "G4DATA=/g4", "X=1=2"};
  EXPECT_THAT(ContainerEnvironment(env, {{"G4DATA", "/g4"}, {"X", "1=2"}}),
              ElementsAre(std::pair<std::string, std::string>{"ALLOT_TASK_ID", "a"},
                          std::pair<std::string, std::string>{"PILOT_TASK_DIR", "/w/a"},
                          std::pair<std::string, std::string>{"JOB_PARAMS_FILE",
                                                              "/w/a/params.json"},
                          std::pair<std::string, std::string>{"OMP_NUM_THREADS", "2"},
                          std::pair<std::string, std::string>{"G4DATA", "/g4"},
                          std::pair<std::string, std::string>{"X", "1=2"}));
}

}  // namespace
}  // namespace allot
