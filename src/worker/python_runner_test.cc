// Which interpreter a python task gets, and how the runner is called (worker/python_runner.h).
// The runner's behaviour runs for real in tests/e2e/test_job_types.py.
#include "worker/python_runner.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace allot {
namespace {

namespace fs = std::filesystem;

TEST(PythonRunnerTest, TheInterpreterIsPython3OnTheAttemptsPathElseDebians) {
  const fs::path dir =
      fs::temp_directory_path() / ("allot-python-runner-" + std::to_string(::getpid()));
  fs::create_directories(dir / "venv/bin");
  std::ofstream(dir / "venv/bin/python3") << "#!/bin/sh\n";
  ::chmod((dir / "venv/bin/python3").c_str(), 0755);
  const std::string venv = (dir / "venv/bin").string();
  EXPECT_EQ(PythonInterpreter({"PATH=" + venv + ":/usr/bin"}, "/"), venv + "/python3");
  EXPECT_EQ(PythonInterpreter({"PATH=" + (dir / "empty").string()}, "/"), "/usr/bin/python3");
  fs::remove_all(dir);
}

TEST(PythonRunnerTest, ArgvNamesTheRunnerModuleFunctionAndArgs) {
  PythonJob job{"pkg.sim", "run", ""};
  EXPECT_EQ(PythonRunnerArgv("/usr/bin/python3", "/t/allot_runner.py", job, ""),
            (std::vector<std::string>{"/usr/bin/python3", "/t/allot_runner.py", "pkg.sim", "run"}));
  EXPECT_EQ(PythonRunnerArgv("py", "r.py", job, "[1]").back(), "[1]");
  EXPECT_NE(PythonRunnerSource().find("def main():"), std::string_view::npos);
}

}  // namespace
}  // namespace allot
