// The job types beside `command` (python, script, container) and `params`: what they mean once
// read, and what users see when they are wrong (model/job_spec.h, model/job_builder.h).
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "model/task_file_testing.h"
#include "model/task_spec_json.h"

namespace allot {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::DiagnosticAt;
using testing::Parse;

// A directory with the task file's neighbours: step.sh (executable), data.txt (not), sim.py.
class JobTypesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("allot-job-types-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "step.sh") << "#!/bin/sh\necho hi\n";
    ::chmod((dir_ / "step.sh").c_str(), 0755);
    std::ofstream(dir_ / "data.txt") << "x\n";
    std::ofstream(dir_ / "sim.py") << "def run():\n  return 1\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Parses `text` as a file in dir_.
  testing::ParseOutcome ParseHere(std::string_view text) {
    testing::ParseOutcome out;
    LoadOptions options;
    options.base_dir = "/cwd";
    options.file_dir = dir_.string();
    Result<LoadedTasks> r = ParseTaskFile("t.yaml", text, options, &out.diagnostics);
    out.ok = r.ok();
    if (r.ok()) out.tasks = std::move(r->tasks);
    out.report = FormatDiagnostics(out.diagnostics);
    return out;
  }
  std::string Path(const char* name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

TEST_F(JobTypesTest, ReadsEachJobTypeAndTheJournalKeepsThem) {
  testing::ParseOutcome out = ParseHere(R"(
tasks:
  - id: py
    python: {module: pkg.sim, function: Model.run, args: [1, "two", {b: 2, a: 1}]}
    params: {energy: 5, geometry: v2, nested: {list: [1, 2]}}
  - id: pyfile
    python: {module: sim.py, function: run}
  - id: sh
    script: step.sh
    params: {x: 1}
  - id: box
    container: {image: "localhost/sim:1", command: [./sim, "a b"], mounts: ["data:/data:ro"]}
  - id: app
    container: {image: sim.sif, engine: apptainer}
  - id: cmd
    command: ./run
    params: {k: "{dep.result.k}"}
)");
  ASSERT_TRUE(out.ok) << out.report;
  const TaskSpec& py = *out.Find("py");
  ASSERT_TRUE(py.job);
  EXPECT_EQ(py.kind(), JobKind::kPython);
  EXPECT_EQ(py.command, "");
  EXPECT_EQ(py.job->python.module, "pkg.sim");
  EXPECT_EQ(py.job->python.function, "Model.run");
  EXPECT_EQ(py.job->python.args, R"([1,"two",{"a":1,"b":2}])");  // keys sorted: as journaled
  EXPECT_EQ(py.job->params, R"({"energy":5,"geometry":"v2","nested":{"list":[1,2]}})");
  EXPECT_EQ(DescribeJob(*py.job), "python: pkg.sim.Model.run");
  EXPECT_EQ(out.Find("pyfile")->job->python.module, Path("sim.py"));
  EXPECT_EQ(DescribeJob(*out.Find("pyfile")->job), "python: " + Path("sim.py") + ":run");
  const TaskSpec& sh = *out.Find("sh");
  EXPECT_EQ(sh.kind(), JobKind::kScript);
  EXPECT_EQ(sh.job->script, Path("step.sh"));
  const ContainerJob& box = out.Find("box")->job->container;
  EXPECT_EQ(box.engine, "podman");
  EXPECT_EQ(box.command, "./sim 'a b'");
  EXPECT_EQ(box.mounts, std::vector<std::string>{Path("data") + ":/data:ro"});
  EXPECT_EQ(DescribeJob(*out.Find("box")->job), "container: localhost/sim:1 (podman) ./sim 'a b'");
  EXPECT_EQ(out.Find("app")->job->container.engine, "apptainer");
  const TaskSpec& cmd = *out.Find("cmd");
  EXPECT_EQ(cmd.kind(), JobKind::kCommand);
  EXPECT_EQ(cmd.job->params, R"({"k":"{dep.result.k}"})");  // filled at launch
  for (const TaskSpec& t : out.tasks) {
    Result<TaskSpec> back = TaskSpecFromJsonText(TaskSpecToJson(t).dump());
    ASSERT_TRUE(back.ok()) << t.id << ": " << back.status().ToString();
    EXPECT_EQ(*back, t) << t.id << ": " << TaskSpecToJson(t).dump();
  }
  EXPECT_FALSE(out.Find("cmd")->job->params.empty());
  EXPECT_EQ(DescribeWhatRuns(cmd),
            "command: " + Path("run") + R"( params: {"k":"{dep.result.k}"})");
}

TEST_F(JobTypesTest, ExactlyOneJobTypePerTask) {
  testing::ParseOutcome out = ParseHere(R"(
tasks:
  - id: both
    command: x
    python: {module: sim, function: run}
  - id: three
    script: step.sh
    container: {image: i}
    command: y
  - id: none
    cores: 1
)");
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(
      out.diagnostics,
      ElementsAre(
          DiagnosticAt(5, "python", "a task runs one thing: only one of command, python, script "
                                    "and container may be set (this task has 'command', "
                                    "'python')"),
          DiagnosticAt(8, "container", "(this task has 'script', 'container', 'command')"),
          DiagnosticAt(10, "command", "missing; every task needs something to run: command, "
                                      "python, script or container")))
      << out.report;
}

TEST_F(JobTypesTest, DefaultsMaySetTheJobTypeAndATasksOwnReplacesIt) {
  testing::ParseOutcome out = ParseHere(R"(
defaults:
  command: ./default
  params: {a: 1, b: 2}
tasks:
  - id: plain
  - id: py
    python: {module: sim, function: run}
    params: {b: 3}
)");
  ASSERT_TRUE(out.ok) << out.report;
  EXPECT_EQ(out.Find("plain")->command, Path("default"));
  EXPECT_EQ(out.Find("plain")->job->params, R"({"a":1,"b":2})");
  const TaskSpec& py = *out.Find("py");
  EXPECT_EQ(py.kind(), JobKind::kPython);
  EXPECT_EQ(py.command, "");
  EXPECT_EQ(py.job->params, R"({"a":1,"b":3})");  // merged key by key
}

TEST_F(JobTypesTest, BadPythonFields) {
  testing::ParseOutcome out = ParseHere(R"(
tasks:
  - {id: a, python: "sim.run"}
  - {id: b, python: {module: 3, function: run}}
  - {id: c, python: {module: sim}}
  - {id: d, python: {module: "my sim", function: run}}
  - {id: e, python: {module: sim, function: "run it"}}
  - {id: f, python: {module: sim, function: run, args: {x: 1}}}
  - {id: g, python: {module: sim, function: run, kwargs: {x: 1}}}
  - {id: h, python: {module: missing.py, function: run}}
  - {id: i, python: {module: sim, function: run}, params: {"not-a-name": 1}}
)");
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(
      out.diagnostics,
      ElementsAre(
          DiagnosticAt(3, "python", "must be a mapping {module, function, args} (got"),
          DiagnosticAt(4, "python.module", "must be a module name like 'pkg.sim'"),
          DiagnosticAt(5, "python.function", "missing; the function to call"),
          DiagnosticAt(6, "python.module",
                       "'my sim' is neither a dotted module name like 'pkg.sim' nor a path"),
          DiagnosticAt(7, "python.function", "must be the name of a function in the module"),
          DiagnosticAt(8, "python.args", "must be a list of positional arguments"),
          DiagnosticAt(9, "python.kwargs", "unknown key; expected module, function, args"),
          DiagnosticAt(10, "python", "module " + Path("missing.py") + " does not exist"),
          DiagnosticAt(11, "params", "'not-a-name' is not a Python identifier")))
      << out.report;
}

TEST_F(JobTypesTest, BadScriptFields) {
  testing::ParseOutcome out = ParseHere(R"(
tasks:
  - {id: a, script: missing.sh}
  - {id: b, script: data.txt}
  - {id: c, script: ""}
  - {id: d, script: [step.sh]}
)");
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.diagnostics,
              ElementsAre(DiagnosticAt(3, "script", Path("missing.sh") + " does not exist"),
                          DiagnosticAt(4, "script", Path("data.txt") + " is not executable"),
                          DiagnosticAt(5, "script", "must be the path of an executable file"),
                          DiagnosticAt(6, "script", "must be the path of an executable file")))
      << out.report;
  EXPECT_EQ(out.diagnostics[0].ToString(),
            "t.yaml:3: task 'a': field 'script': " + Path("missing.sh") + " does not exist");
}

TEST_F(JobTypesTest, BadContainerFields) {
  testing::ParseOutcome out = ParseHere(R"(
tasks:
  - {id: a, container: {image: i, engine: podmn}}
  - {id: b, container: {image: i, engine: kubernetes}}
  - {id: c, container: {command: x}}
  - {id: d, container: {image: i, mounts: ["data"]}}
  - {id: e, container: {image: i, mounts: ["data:rel"]}}
  - {id: f, container: {image: i, mounts: ["data:/d:rx"]}}
  - {id: g, container: {image: i, command: 7}}
  - {id: h, container: {image: i, engnie: docker}}
  - {id: i, container: "alpine"}
)");
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(
      out.diagnostics,
      ElementsAre(
          DiagnosticAt(3, "container.engine",
                       "unknown engine 'podmn'; expected podman, docker, apptainer or "
                       "singularity (did you mean 'podman'?)"),
          DiagnosticAt(4, "container.engine", "unknown engine 'kubernetes'"),
          DiagnosticAt(5, "container.image", "missing; the image to run"),
          DiagnosticAt(6, "container.mounts", "'data' must be \"HOST:CONTAINER\""),
          DiagnosticAt(7, "container.mounts", "the path in the container must be absolute"),
          DiagnosticAt(8, "container.mounts", "must be ro or rw (got 'rx')"),
          DiagnosticAt(9, "container.command", "must be a command line or a list of words"),
          DiagnosticAt(10, "container.engnie", "(did you mean 'engine'?)"),
          DiagnosticAt(11, "container", "must be a mapping {image, command, engine, mounts}")))
      << out.report;
}

TEST_F(JobTypesTest, ParamsMustBeAMapping) {
  testing::ParseOutcome out = ParseHere(R"(
tasks:
  - {id: a, command: x, params: [1, 2]}
  - {id: b, command: x, params: "energy=5"}
)");
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.diagnostics,
              ElementsAre(DiagnosticAt(3, "params", "must be a mapping of names to values"),
                          DiagnosticAt(4, "params", "must be a mapping of names to values")))
      << out.report;
}

TEST_F(JobTypesTest, ASweepFillsParamsArgsAndTheContainerAndTypesStay) {
  testing::ParseOutcome out = ParseHere(R"(
tasks:
  - id: "py-{e}-{s}"
    sweep: {grid: {e: [1, 2.5], s: [abc]}}
    workdir: "runs/{e}"
    python: {module: sim, function: run, args: ["{e}", "{s}"]}
    params: {energy: "{e}", label: "e={e}", w: "{dep.result.w}", n: 3}
  - id: "box-{e}"
    sweep: {grid: {e: [1]}}
    workdir: "runs/{e}"
    container: {image: "sim:{e}", command: "./sim {e}", mounts: ["in/{e}:/in"]}
)");
  ASSERT_TRUE(out.ok) << out.report;
  const TaskSpec& p = *out.Find("py-2.5-abc");
  // A string that is exactly one placeholder takes a number or boolean as such; in a longer
  // string the value is text.
  EXPECT_EQ(p.job->params, R"({"energy":2.5,"label":"e=2.5","n":3,"w":"{dep.result.w}"})");
  EXPECT_EQ(p.job->python.args, R"([2.5,"abc"])");
  const ContainerJob& c = out.Find("box-1")->job->container;
  EXPECT_EQ(c.image, "sim:1");
  EXPECT_EQ(c.command, "./sim 1");
  EXPECT_EQ(c.mounts, std::vector<std::string>{Path("in/1") + ":/in"});
}

TEST(TaskFileJobTypesTest, TheArrayFormatReadsTheJobTypesToo) {
  testing::ParseOutcome out = Parse("tasks.json", R"([
  {"id": "a", "python": {"module": "sim", "function": "run"}, "params": {"x": 1}}
])");
  ASSERT_TRUE(out.ok) << out.report;
  EXPECT_EQ(out.tasks[0].kind(), JobKind::kPython);
}

}  // namespace
}  // namespace allot
