// Sweeps: grid, zip, both, and {name} substitution.
#include <gtest/gtest.h>

#include "model/task_file.h"
#include "model/task_file_testing.h"

namespace allot {
namespace {

using ::testing::Contains;
using testing::DiagnosticAt;
using ::testing::ElementsAre;
using ::testing::Pair;
using testing::Parse;
using testing::ParseOk;

std::vector<std::string> Ids(const std::vector<TaskSpec>& tasks) {
  std::vector<std::string> ids;
  for (const TaskSpec& t : tasks) ids.push_back(t.id);
  return ids;
}

TEST(TaskFileSweepTest, GridIsCartesianProductWithFirstKeySlowest) {
  std::vector<TaskSpec> tasks = ParseOk("s.yaml", R"(
tasks:
  - id: "sim-{energy}-{seed}"
    command: "geant4 --energy {energy} --seed {seed}"
    sweep:
      grid: {energy: [1, 5, 10], seed: [1, 2]}
)");
  EXPECT_THAT(Ids(tasks),
              ElementsAre("sim-1-1", "sim-1-2", "sim-5-1", "sim-5-2", "sim-10-1", "sim-10-2"));
  EXPECT_EQ(tasks[3].command, "geant4 --energy 5 --seed 2");
  EXPECT_EQ(tasks[3].origin.line, 3);
}

TEST(TaskFileSweepTest, ZipTakesListsTogether) {
  std::vector<TaskSpec> tasks = ParseOk("s.yaml", R"(
tasks:
  - id: "run-{geometry}"
    command: "sim --geometry {geometry} --field {field}"
    sweep:
      zip: {geometry: [a, b, c], field: [1.5, 2, 3.0]}
)");
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[0].command, "sim --geometry a --field 1.5");
  EXPECT_EQ(tasks[1].command, "sim --geometry b --field 2");
  EXPECT_EQ(tasks[2].command, "sim --geometry c --field 3.0");
}

TEST(TaskFileSweepTest, GridAndZipTogetherAreTheirProductGridOuter) {
  std::vector<TaskSpec> tasks = ParseOk("s.yaml", R"(
tasks:
  - id: "t-{e}-{g}"
    command: "x {e} {g} {f}"
    sweep:
      grid: {e: [1, 2]}
      zip: {g: [a, b], f: [10, 20]}
)");
  EXPECT_THAT(Ids(tasks), ElementsAre("t-1-a", "t-1-b", "t-2-a", "t-2-b"));
  EXPECT_EQ(tasks[3].command, "x 2 b 20");
}

TEST(TaskFileSweepTest, SubstitutesInEnvWorkdirTagsAndDependsOn) {
  std::vector<TaskSpec> tasks = ParseOk("s.yaml", R"(
defaults:
  env: {OUT: "out/{e}"}
tasks:
  - id: "prep-{e}"
    command: "prep {e}"
    sweep: {grid: {e: [1, 2]}}
  - id: "sim-{e}"
    command: "sim"
    env: {ENERGY: "{e}"}
    workdir: "runs/e{e}"
    tags: {energy: "{e}", fixed: "x"}
    depends_on: ["prep-{e}"]
    sweep: {grid: {e: [1, 2]}}
)");
  ASSERT_EQ(tasks.size(), 4u);
  const TaskSpec& sim2 = tasks[3];
  EXPECT_EQ(sim2.id, "sim-2");
  EXPECT_THAT(sim2.env, ElementsAre(Pair("OUT", "out/2"), Pair("ENERGY", "2")));
  EXPECT_EQ(sim2.workdir, "/base/runs/e2");
  EXPECT_THAT(sim2.tags, ElementsAre(Pair("energy", "2"), Pair("fixed", "x")));
  EXPECT_THAT(sim2.depends_on, ElementsAre("prep-2"));
}

TEST(TaskFileSweepTest, DoubledBracesAreLiteralInSweepTasks) {
  std::vector<TaskSpec> tasks = ParseOk("s.yaml", R"(
tasks:
  - id: "a-{n}"
    command: "awk '{{print ${n}}}' data; echo ${{HOME}}"
    sweep: {grid: {n: [1]}}
)");
  EXPECT_EQ(tasks[0].command, "awk '{print $1}' data; echo ${HOME}");
}

TEST(TaskFileSweepTest, BracesOutsideSweepsAreLeftAlone) {
  std::vector<TaskSpec> tasks = ParseOk("s.yaml", R"(
tasks:
  - id: a
    command: "awk '{print $1}' f; echo ${HOME} {{x}}"
    env: {X: "{y}"}
)");
  EXPECT_EQ(tasks[0].command, "awk '{print $1}' f; echo ${HOME} {{x}}");
  EXPECT_EQ(tasks[0].env[0].second, "{y}");
}

TEST(TaskFileSweepTest, UnknownPlaceholderInSweepTaskIsAnErrorNamingTheParameters) {
  testing::ParseOutcome out = Parse("s.yaml", R"(
tasks:
  - id: "a-{n}"
    command: "awk '{print $1}'"
    sweep: {grid: {n: [1, 2]}}
)");
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.diagnostics, Contains(DiagnosticAt(4, "command",
                                                     "'{print $1}' is not a sweep parameter "
                                                     "(parameters: n)")))
      << out.report;
}

TEST(TaskFileSweepTest, SweepIdMustUseParameters) {
  testing::ParseOutcome out = Parse("s.yaml", R"(
tasks:
  - id: same
    command: "x {n}"
    sweep: {grid: {n: [1, 2, 3]}}
)");
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.diagnostics, Contains(DiagnosticAt(3, "id", "needs its own id"))) << out.report;
  EXPECT_EQ(out.diagnostics.size(), 1u) << out.report;
}

TEST(TaskFileSweepTest, ZipListsOfUnequalLengthAreAnError) {
  testing::ParseOutcome out = Parse("s.yaml", R"(
tasks:
  - id: "a-{p}"
    command: x
    sweep:
      zip:
        p: [1, 2, 3]
        q: [1, 2]
)");
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.diagnostics,
              Contains(DiagnosticAt(8, "sweep.zip", "'p' has 3 values, 'q' has 2")))
      << out.report;
}

TEST(TaskFileSweepTest, MalformedSweepsAreErrors) {
  testing::ParseOutcome out = Parse("s.yaml", R"(
tasks:
  - id: "a-{p}"
    command: x
    sweep: {grid: {p: []}}
  - id: "b-{p}"
    command: x
    sweep: {grdi: {p: [1]}}
  - id: "c-{p}"
    command: x
    sweep: {grid: {p: [1]}, zip: {p: [2]}}
  - id: "d-{p}"
    command: x
    sweep: {grid: {p: [[1]]}}
)");
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.diagnostics, Contains(DiagnosticAt(5, "sweep.grid.p", "non-empty list")));
  EXPECT_THAT(out.diagnostics, Contains(DiagnosticAt(8, "sweep.grdi", "did you mean 'grid'")));
  EXPECT_THAT(out.diagnostics, Contains(DiagnosticAt(11, "sweep.zip.p", "defined twice")));
  EXPECT_THAT(out.diagnostics, Contains(DiagnosticAt(14, "sweep.grid.p", "must be a string")))
      << out.report;
}

TEST(TaskFileSweepTest, ExpandsTenThousandTasksAndPatternDependenciesOnThem) {
  std::vector<TaskSpec> tasks = ParseOk("s.yaml", R"(
tasks:
  - id: "sim-{a}-{b}-{c}"
    command: "sim {a} {b} {c} {d}"
    env: {A: "{a}"}
    sweep:
      grid:
        a: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
            23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43,
            44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64,
            65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85,
            86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99]
        b: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
      zip: {c: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], d: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]}
    tags: {c: "{c}", d: "{d}"}
  - id: "merge-{a}"
    command: merge
    depends_on: "sim-{a}-*"
    sweep: {grid: {a: [1, 2]}}
)");
  ASSERT_EQ(tasks.size(), 10002u);
  EXPECT_EQ(tasks.back().depends_on.size(), 100u);
}

}  // namespace
}  // namespace allot
