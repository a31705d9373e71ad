// The documents BuildSubmitDocument makes are checked by the real task-file parser: what the
// server will do with them is what the tests pin.
#include "client/submit_document.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model/task_file.h"

namespace allot {
namespace {

using Json = nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

SubmitOptions Command(std::vector<std::string> words) {
  SubmitOptions o;
  o.command = std::move(words);
  o.name = "job";
  return o;
}

// Parses the document as the server would (as JSON text named "submit.json").
std::vector<TaskSpec> Load(const Json& doc) {
  std::vector<Diagnostic> diagnostics;
  LoadOptions options;
  options.base_dir = "/base";
  auto loaded = ParseTaskFile("submit.json", doc.dump(), options, &diagnostics);
  std::string problems;
  for (const Diagnostic& d : diagnostics) problems += d.ToString() + "\n";
  EXPECT_TRUE(loaded.ok()) << problems << doc.dump(2);
  return loaded.ok() ? loaded->tasks : std::vector<TaskSpec>{};
}

TEST(SubmitDocumentTest, PlainCommandIsOneTaskWithOnlyIdAndCommand) {
  auto doc = BuildSubmitDocument(Command({"./sim", "--out", "a b"}));
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ(*doc, Json::parse(R"({"tasks": [{"id": "job", "command": "./sim --out 'a b'"}]})"));
  std::vector<TaskSpec> tasks = Load(*doc);
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].id, "job");
  // Loaded, a relative program resolves against the submitter's directory (README: paths).
  EXPECT_EQ(tasks[0].command, "/base/sim --out 'a b'");
  EXPECT_EQ(tasks[0].workdir, "/base");
}

TEST(SubmitDocumentTest, ResourceAndPolicyFlagsBecomeTaskFields) {
  SubmitOptions o = Command({"./sim"});
  o.cores = "2-8";
  o.memory = "4G";
  o.gpus = 1;
  o.time_limit = "1h30m";
  o.time_estimate = "10min";
  o.priority = -3;
  o.max_retries = 2;
  o.tags = {"project=epic", "run=7"};
  o.env = {"B=2", "A=x=y"};
  o.workdir = "runs";
  std::vector<TaskSpec> tasks = Load(*BuildSubmitDocument(o));
  ASSERT_EQ(tasks.size(), 1u);
  const TaskSpec& t = tasks[0];
  EXPECT_EQ(t.resources.cores.min, 2);
  EXPECT_EQ(t.resources.cores.max, 8);
  EXPECT_EQ(t.resources.memory_bytes, int64_t{4} << 30);
  EXPECT_EQ(t.resources.gpus, 1);
  EXPECT_EQ(t.time_limit, std::chrono::minutes(90));
  EXPECT_EQ(t.time_estimate, std::chrono::minutes(10));
  EXPECT_EQ(t.priority, -3);
  EXPECT_EQ(t.max_retries, 2);
  EXPECT_THAT(t.tags, ElementsAre(Pair("project", "epic"), Pair("run", "7")));
  EXPECT_THAT(t.env, ElementsAre(Pair("B", "2"), Pair("A", "x=y")));  // order kept
  EXPECT_EQ(t.workdir, "/base/runs");
}

TEST(SubmitDocumentTest, SingleCoreCountIsANumber) {
  SubmitOptions o = Command({"x"});
  o.cores = "4";
  EXPECT_EQ((*BuildSubmitDocument(o))["tasks"][0]["cores"], 4);
}

TEST(SubmitDocumentTest, AfterBecomesDependsOn) {
  SubmitOptions o = Command({"x"});
  o.after = {"prep", "sim-*"};
  EXPECT_EQ((*BuildSubmitDocument(o))["tasks"][0]["depends_on"], Json({"prep", "sim-*"}));
}

TEST(SubmitDocumentTest, ArrayExpandsToOneTaskPerIndexWithItsIndexSubstituted) {
  SubmitOptions o = Command({"./sim", "--seed", "{index}", "--out", "out-{index}.root"});
  o.name = "sim";
  o.array = "1-5:2";
  o.env = {"SEED={index}"};
  std::vector<TaskSpec> tasks = Load(*BuildSubmitDocument(o));
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[0].id, "sim-1");
  EXPECT_EQ(tasks[1].id, "sim-3");
  EXPECT_EQ(tasks[2].id, "sim-5");
  EXPECT_EQ(tasks[1].command, "/base/sim --seed 3 --out out-3.root");
  EXPECT_THAT(tasks[2].env, ElementsAre(Pair("SEED", "5"), Pair("ALLOT_ARRAY_INDEX", "5")));
}

TEST(SubmitDocumentTest, ArrayKeepsOtherBracesLiteral) {
  SubmitOptions o = Command({"awk", "{print $1}", "{{x}}"});
  o.array = "7";
  o.tags = {"note={weird}"};
  std::vector<TaskSpec> tasks = Load(*BuildSubmitDocument(o));
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].id, "job-7");
  EXPECT_EQ(tasks[0].command, "awk '{print $1}' '{{x}}'");
  EXPECT_THAT(tasks[0].tags, ElementsAre(Pair("note", "{weird}")));
}

TEST(SubmitDocumentTest, OutsideAnArrayBracesAreLeftAlone) {
  auto doc = BuildSubmitDocument(Command({"echo", "{index}"}));
  EXPECT_EQ((*doc)["tasks"][0]["command"], "echo '{index}'");
  EXPECT_FALSE((*doc)["tasks"][0].contains("sweep"));
}

TEST(SubmitDocumentTest, NodesBecomesTheTasksNodeCount) {
  SubmitOptions o = Command({"mpiexec", "./ring"});
  o.cores = "4";
  o.nodes = 2;
  std::vector<TaskSpec> tasks = Load(*BuildSubmitDocument(o));
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].resources.nodes, 2);
  EXPECT_EQ(tasks[0].resources.cores.min, 4);
}

TEST(SubmitDocumentTest, BadFlagsAreRejectedNamingTheFlag) {
  struct Case {
    void (*set)(SubmitOptions*);
    const char* flag;
  };
  const std::vector<Case> cases = {
      {[](SubmitOptions* o) { o->cores = "0"; }, "--cores"},
      {[](SubmitOptions* o) { o->cores = "8-2"; }, "--cores"},
      {[](SubmitOptions* o) { o->cores = "two"; }, "--cores"},
      {[](SubmitOptions* o) { o->memory = "lots"; }, "--mem"},
      {[](SubmitOptions* o) { o->gpus = -1; }, "--gpus"},
      {[](SubmitOptions* o) { o->nodes = 0; }, "--nodes"},
      {[](SubmitOptions* o) { o->time_limit = "soon"; }, "--time-limit"},
      {[](SubmitOptions* o) { o->time_estimate = "-5"; }, "--time-estimate"},
      {[](SubmitOptions* o) { o->max_retries = -1; }, "--max-retries"},
      {[](SubmitOptions* o) { o->tags = {"novalue"}; }, "--tag"},
      {[](SubmitOptions* o) { o->tags = {"a=1", "a=2"}; }, "--tag"},
      {[](SubmitOptions* o) { o->env = {"=x"}; }, "--env"},
      {[](SubmitOptions* o) { o->env = {"1X=x"}; }, "--env"},
      {[](SubmitOptions* o) { o->array = "3-1"; }, "--array"},
      {[](SubmitOptions* o) { o->after = {""}; }, "--after"},
      {[](SubmitOptions* o) { o->name.clear(); }, "--name"},
  };
  for (const Case& c : cases) {
    SubmitOptions o = Command({"x"});
    c.set(&o);
    auto doc = BuildSubmitDocument(o);
    EXPECT_EQ(doc.status().code(), StatusCode::kInvalidArgument) << c.flag;
    EXPECT_THAT(doc.status().message(), HasSubstr(c.flag));
  }
  EXPECT_FALSE(BuildSubmitDocument(SubmitOptions{}).ok());
}

TEST(SubmitDocumentTest, CommandSubmissionNameNeverLooksLikeAYamlFile) {
  EXPECT_EQ(CommandSubmissionName({"./sim", "a b"}), "./sim 'a b'");
  EXPECT_EQ(CommandSubmissionName({"./convert", "in.YAML"}), "./convert in.YAML (command)");
}

TEST(SubmitDocumentTest, DefaultNameIsTheProgramsBasenameAndSuffix) {
  EXPECT_EQ(DefaultTaskName("./bin/sim", "k3x9q"), "sim-k3x9q");
  EXPECT_EQ(DefaultTaskName("python3", "ab"), "python3-ab");
  EXPECT_EQ(DefaultTaskName("my prog!", "ab"), "my_prog_-ab");
  EXPECT_EQ(DefaultTaskName("/usr/bin/", "ab"), "task-ab");
}

}  // namespace
}  // namespace allot
