// What a job type and params make of an attempt's launch (worker/job_launch.h).
#include "worker/job_launch.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "worker/python_runner.h"

namespace allot {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

class JobLaunchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() / ("allot-job-launch-" + std::to_string(::getpid())))
               .string();
    fs::create_directories(dir_);
    req_.cwd = dir_;
    req_.cpus = {1};
    req_.env = {"PATH=" + dir_ + "/nothing-here", "ALLOT_TASK_ID=t", "HOME=/root"};
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Read(const std::string& name) {
    std::ifstream f(dir_ + "/" + name);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  }

  std::string dir_;
  LaunchRequest req_;
};

TEST_F(JobLaunchTest, APythonTaskGetsItsParamsFilledTheRunnerAndDebiansInterpreter) {
  TaskSpec spec;
  JobSpec job;
  job.kind = JobKind::kPython;
  job.python = {"trial", "fit", R"(["{dep.result.file}"])"};
  job.params = R"({"energy":"{dep.result.e}","label":"e={dep.result.e}","n":1})";
  spec.job = job;
  ASSERT_TRUE(PrepareJobLaunch(spec, dir_, R"({"sim":{"e":5,"file":"a b"}})", "", {}, &req_).ok());
  EXPECT_EQ(Read("params.json"), "{\"energy\":5,\"label\":\"e=5\",\"n\":1}\n");
  EXPECT_THAT(req_.env, Contains("ALLOT_PARAMS_FILE=" + dir_ + "/params.json"));
  EXPECT_THAT(req_.env, Contains("JOB_PARAMS_FILE=" + dir_ + "/params.json"));
  EXPECT_EQ(Read("allot_runner.py"), PythonRunnerSource());
  // No python3 on the task's PATH: Debian's.
  EXPECT_EQ(req_.command,
            "/usr/bin/python3 " + dir_ + "/allot_runner.py trial fit '[\"a b\"]'");
}

TEST_F(JobLaunchTest, AKeyNoResultHasStartsNothing) {
  TaskSpec spec;
  JobSpec job;
  job.params = R"({"x":"{dep.result.nope}"})";
  spec.job = job;
  req_.command = "./sim";
  Status s = PrepareJobLaunch(spec, dir_, R"({"sim":{"e":5}})", "", {}, &req_);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_THAT(s.message(), HasSubstr("{dep.result.nope}"));
  EXPECT_FALSE(fs::exists(dir_ + "/params.json"));
}

TEST_F(JobLaunchTest, ACommandWithParamsKeepsItsCommandAndAScriptIsExecdDirectly) {
  TaskSpec spec;
  JobSpec job;
  job.params = R"({"a":1})";
  spec.job = job;
  req_.command = "./sim --fast";
  ASSERT_TRUE(PrepareJobLaunch(spec, dir_, "", "", {}, &req_).ok());
  EXPECT_EQ(req_.command, "./sim --fast");
  EXPECT_EQ(Read("params.json"), "{\"a\":1}\n");
  job.kind = JobKind::kScript;
  job.script = "/opt/steps/reco step.sh";
  job.params.clear();
  spec.job = job;
  ASSERT_TRUE(PrepareJobLaunch(spec, dir_, "", "", {}, &req_).ok());
  EXPECT_EQ(req_.command, "'/opt/steps/reco step.sh'");
}

TEST_F(JobLaunchTest, AContainerMountsItsDirectoriesAndGetsAllotsVariables) {
  TaskSpec spec;
  spec.env = {{"G4DATA", "/g4"}};
  JobSpec job;
  job.kind = JobKind::kContainer;
  job.container.image = "localhost/sim";
  spec.job = job;
  req_.cwd = "/work/runs";
  req_.memory_limit_bytes = 1 << 20;
  req_.env.push_back("G4DATA=/g4");
  ASSERT_TRUE(PrepareJobLaunch(spec, dir_, "", "./sim 1", {"/ckpt"}, &req_).ok());
  EXPECT_EQ(req_.command, "podman run --rm --init --cpuset-cpus 1 --memory 1048576 --volume " +
                              dir_ + ":" + dir_ +
                              " --volume /work/runs:/work/runs --volume /ckpt:/ckpt --workdir "
                              "/work/runs --env ALLOT_TASK_ID=t --env G4DATA=/g4 localhost/sim "
                              "./sim 1");
  EXPECT_THAT(req_.command, Not(HasSubstr("HOME")));
  EXPECT_THAT(req_.command, StartsWith("podman run"));
}

}  // namespace
}  // namespace allot
