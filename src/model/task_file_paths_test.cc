// Relative paths written in a task file resolve against the file's directory
// (model/task_paths.h); a task that names no workdir runs where allot was started.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "model/task_file_testing.h"

namespace allot {
namespace {

namespace fs = std::filesystem;

LoadedTasks ParseWithDirs(const std::string& text, const std::string& base_dir,
                          const std::string& file_dir) {
  LoadOptions options;
  options.base_dir = base_dir;
  options.file_dir = file_dir;
  std::vector<Diagnostic> diagnostics;
  Result<LoadedTasks> r = ParseTaskFile("t.yaml", text, options, &diagnostics);
  EXPECT_TRUE(r.ok()) << FormatDiagnostics(diagnostics);
  return r.ok() ? std::move(*r) : LoadedTasks{};
}

TEST(TaskFilePathsTest, RelativeWorkdirAndProgramResolveAgainstFileDirNotBaseDir) {
  LoadedTasks loaded = ParseWithDirs(R"(
tasks:
  - {id: a, command: "./simulate.sh 1 data/in", workdir: runs/a}
  - {id: b, command: python3 x.py}
  - {id: c, command: bin/sim, workdir: /abs}
)",
                                     "/cwd", "/repo/demo");
  ASSERT_EQ(loaded.tasks.size(), 3u);
  EXPECT_EQ(loaded.tasks[0].command, "/repo/demo/simulate.sh 1 data/in");
  EXPECT_EQ(loaded.tasks[0].workdir, "/repo/demo/runs/a");
  EXPECT_EQ(loaded.tasks[1].command, "python3 x.py");
  EXPECT_EQ(loaded.tasks[1].workdir, "/cwd");  // none named: where allot was started
  EXPECT_EQ(loaded.tasks[2].command, "/repo/demo/bin/sim");
  EXPECT_EQ(loaded.tasks[2].workdir, "/abs");
}

TEST(TaskFilePathsTest, SweepProgramsResolveAfterSubstitution) {
  LoadedTasks loaded = ParseWithDirs(R"(
tasks:
  - id: "sim-{v}"
    command: "{v}/run --v {v}"
    workdir: "out-{v}"
    sweep: {grid: {v: [x, y]}}
)",
                                     "/cwd", "/f");
  ASSERT_EQ(loaded.tasks.size(), 2u);
  EXPECT_EQ(loaded.tasks[0].command, "/f/x/run --v x");
  EXPECT_EQ(loaded.tasks[0].workdir, "/f/out-x");
  EXPECT_EQ(loaded.tasks[1].command, "/f/y/run --v y");
}

TEST(TaskFilePathsTest, AllocationSchedulerFormatFollowsTheSameRule) {
  LoadedTasks loaded = ParseWithDirs(
      R"([{"id": "s", "command": "./sim --seed 1", "cores": 1, "timeout": 60,
           "priority": 0, "max_retries": 0, "env": {}, "tags": {}, "workdir": "runs"}])",
      "/cwd", "/f");
  ASSERT_EQ(loaded.tasks.size(), 1u);
  EXPECT_EQ(loaded.tasks[0].command, "/f/sim --seed 1");
  EXPECT_EQ(loaded.tasks[0].workdir, "/f/runs");
}

TEST(TaskFilePathsTest, WithoutFileDirPathsResolveAgainstBaseDir) {
  LoadedTasks loaded =
      ParseWithDirs("tasks:\n  - {id: a, command: ./sim, workdir: w}\n", "/cwd", "");
  ASSERT_EQ(loaded.tasks.size(), 1u);
  EXPECT_EQ(loaded.tasks[0].command, "/cwd/sim");
  EXPECT_EQ(loaded.tasks[0].workdir, "/cwd/w");
}

TEST(TaskFilePathsTest, LoadTaskFileResolvesAgainstTheFilesOwnDirectory) {
  const fs::path dir = fs::temp_directory_path() /
                       ("allot-paths-test-" + std::to_string(::getpid())) / "campaign";
  fs::create_directories(dir);
  const fs::path file = dir / "workflow.yaml";
  std::ofstream(file) << "tasks:\n  - {id: a, command: ./simulate.sh 1, workdir: out}\n";
  LoadOptions options;
  options.base_dir = "/cwd";
  std::vector<Diagnostic> diagnostics;
  Result<LoadedTasks> r = LoadTaskFile(file.string(), options, &diagnostics);
  fs::remove_all(dir.parent_path());
  ASSERT_TRUE(r.ok()) << FormatDiagnostics(diagnostics);
  EXPECT_EQ(r->tasks[0].command, (dir / "simulate.sh").string() + " 1");
  EXPECT_EQ(r->tasks[0].workdir, (dir / "out").string());
}

}  // namespace
}  // namespace allot
