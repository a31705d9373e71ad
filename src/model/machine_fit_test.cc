#include <gtest/gtest.h>

#include "model/task_file.h"

namespace allot {
namespace {

TaskSpec Task(std::string id, int cores) {
  TaskSpec t;
  t.id = std::move(id);
  t.command = "x";
  t.resources.cores = {cores, cores};
  t.origin = {"tasks.json", 3};
  return t;
}

MachineCapacity Laptop() {
  MachineCapacity m;
  m.cores = 2;
  m.memory_bytes = 16LL << 30;
  m.gpus = 0;
  m.custom = {{"licenses", 1}};
  return m;
}

TEST(CheckFitsMachineTest, TasksThatFitGiveNoDiagnostics) {
  std::vector<Diagnostic> diagnostics;
  EXPECT_TRUE(CheckFitsMachine({Task("a", 1), Task("b", 2)}, Laptop(), &diagnostics));
  EXPECT_TRUE(diagnostics.empty());
}

TEST(CheckFitsMachineTest, NamesTheTaskWhatItAsksAndWhatTheMachineHas) {
  std::vector<Diagnostic> diagnostics;
  EXPECT_FALSE(CheckFitsMachine({Task("big", 64)}, Laptop(), &diagnostics));
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].ToString(),
            "tasks.json:3: task 'big': asks for 64 cores; this machine has 2");
}

TEST(CheckFitsMachineTest, ChecksMinimumCoresMemoryGpusAndCustomResources) {
  TaskSpec elastic = Task("elastic", 1);
  elastic.resources.cores = {1, 64};  // fits: the maximum is only what it would like
  TaskSpec min_too_big = Task("wide", 1);
  min_too_big.resources.cores = {4, 8};
  TaskSpec mem = Task("mem", 1);
  mem.resources.memory_bytes = 64LL << 30;
  TaskSpec gpu = Task("gpu", 1);
  gpu.resources.gpus = 2;
  TaskSpec lic = Task("lic", 1);
  lic.resources.custom = {{"licenses", 3}, {"scratch", 1}};
  std::vector<Diagnostic> d;
  EXPECT_FALSE(CheckFitsMachine({elastic, min_too_big, mem, gpu, lic}, Laptop(), &d));
  ASSERT_EQ(d.size(), 5u);
  EXPECT_EQ(d[0].message, "asks for at least 4 cores; this machine has 2");
  EXPECT_EQ(d[1].message, "asks for 64 GiB of memory; this machine has 16 GiB");
  EXPECT_EQ(d[2].message, "asks for 2 GPUs; this machine has 0");
  EXPECT_EQ(d[3].message, "asks for 3 of resource 'licenses'; this machine has 1");
  EXPECT_EQ(d[4].message, "asks for 1 of resource 'scratch'; this machine has none");
  EXPECT_EQ(d[4].task_id, "lic");
}

}  // namespace
}  // namespace allot

namespace allot {
namespace {

TEST(LoadOptionsCapacityTest, TooLargeRequestsAreReportedWithTheFilesOtherProblems) {
  LoadOptions options;
  options.base_dir = "/tmp";
  MachineCapacity two;
  two.cores = 2;
  two.memory_bytes = int64_t{1} << 30;
  options.capacity = two;
  std::vector<Diagnostic> diagnostics;
  auto loaded = ParseTaskFile("t.yaml",
                              "tasks:\n"
                              "  - id: big\n"
                              "    cores: 64\n"
                              "    command: x\n"
                              "  - id: typo\n"
                              "    comand: y\n",
                              options, &diagnostics);
  ASSERT_FALSE(loaded.ok());
  // The misspelt field, the command it leaves missing, and the request.
  EXPECT_EQ(loaded.status().message(), "t.yaml: 3 problems");
  ASSERT_EQ(diagnostics.size(), 3u);
  std::string all = FormatDiagnostics(diagnostics);
  EXPECT_NE(all.find("t.yaml:2: task 'big': asks for 64 cores; this machine has 2"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("comand"), std::string::npos) << all;
}

TEST(LoadOptionsCapacityTest, WithoutCapacityLargeRequestsLoad) {
  std::vector<Diagnostic> diagnostics;
  auto loaded = ParseTaskFile("t.json", R"([{"id": "big", "command": "x", "cores": 64}])",
                              LoadOptions{}, &diagnostics);
  ASSERT_TRUE(loaded.ok());
  EXPECT_TRUE(diagnostics.empty());
}

}  // namespace
}  // namespace allot
