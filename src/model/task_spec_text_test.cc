// TaskSpecFromJsonText (simdjson) against TaskSpecFromJson, the reference: the same spec or the same error
// for every document, valid or damaged.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "model/task_spec_json.h"

namespace allot {
namespace {

using nlohmann::json;

TaskSpec FullSpec() {
  TaskSpec s;
  s.id = "sim-1";
  s.command = "geant4 --energy 5 && echo \"done\" \\ \xc3\xa9";
  s.resources.cores = {2, 8};
  s.resources.memory_bytes = 3LL << 30;
  s.resources.memory_auto = true;
  s.memory_max_bytes = 8LL << 30;
  s.resources.gpus = 1;
  s.resources.custom = {{"licenses", 2}, {"scratch", 7}};
  s.time_limit = Duration(5400123457);
  s.time_estimate = std::chrono::seconds(600);
  s.grace_period = Duration(1500001);
  s.priority = -3;
  s.max_retries = 4;
  s.retry_backoff = {Duration(2500000), 1.5, std::chrono::seconds(90)};
  s.env = {{"Z_LAST", "1"}, {"A_FIRST", "two words"}, {"EMPTY", ""}};
  s.tags = {{"project", "epic"}, {"profile", "sim"}};
  s.workdir = "/runs/sim-1";
  s.depends_on = {"gen", "prep-2"};
  s.origin = {"tasks.yaml", 12};
  return s;
}

TaskSpec SmallSpec() {
  TaskSpec s;
  s.id = "a";
  s.command = "true";
  s.workdir = "/w";
  return s;
}

// What TaskSpecFromJson says of the document in `text` (the reference).
Result<TaskSpec> Reference(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::Corruption("task spec: not JSON");
  return TaskSpecFromJson(j);
}

void ExpectSame(const Result<TaskSpec>& got, const Result<TaskSpec>& want,
                const std::string& what) {
  ASSERT_EQ(got.ok(), want.ok()) << what << "\n got: " << got.status().ToString()
                                 << "\n want: " << want.status().ToString();
  if (want.ok()) {
    EXPECT_EQ(*got, *want) << what;
  } else {
    EXPECT_EQ(got.status().ToString(), want.status().ToString()) << what;
  }
}

void ExpectBothReadersAgree(const std::string& text) {
  ExpectSame(TaskSpecFromJsonText(text), Reference(text), text);
}

TEST(TaskSpecTextTest, SpecsRoundTripThroughText) {
  for (const TaskSpec& spec : {FullSpec(), SmallSpec()}) {
    Result<TaskSpec> text = TaskSpecFromJsonText(TaskSpecToJson(spec).dump());
    ASSERT_TRUE(text.ok()) << text.status().ToString();
    EXPECT_EQ(*text, spec);
  }
}

TEST(TaskSpecTextTest, HandWrittenDocumentsDecodeAsTheReferenceDoes) {
  const char* docs[] = {
      R"({"id": "a", "command": "x"})",
      R"({"command": "x"})",
      R"({"id": "a"})",
      R"([])",
      R"("a")",
      R"(3)",
      R"({"id": 3, "command": "x"})",
      R"({"id": null, "command": "x"})",
      R"({"id": "a", "command": "x", "cores": "two"})",
      R"({"id": "a", "command": "x", "cores": 2.5})",
      R"({"id": "a", "command": "x", "cores": {"min": 1}})",
      R"({"id": "a", "command": "x", "cores": {"min": 1, "max": 4, "step": [1, {"x": 2}]}})",
      R"({"id": "a", "command": "x", "cores": {"min": 1, "max": "4"}})",
      R"({"id": "a", "command": "x", "cores": [1, 2]})",
      R"({"id": "a", "command": "x", "env": {"A": "1"}})",
      R"({"id": "a", "command": "x", "env": [["A"]]})",
      R"({"id": "a", "command": "x", "env": [["A", "1", "2"]]})",
      R"({"id": "a", "command": "x", "env": [["A", 1]]})",
      R"({"id": "a", "command": "x", "env": ["A"]})",
      R"({"id": "a", "command": "x", "env": [["A", ["1"]]]})",
      R"({"id": "a", "command": "x", "env": []})",
      R"({"id": "a", "command": "x", "time_limit": "1h"})",
      R"({"id": "a", "command": "x", "time_limit": 1.5, "time_estimate": 7})",
      R"({"id": "a", "command": "x", "grace_period": -1})",
      R"({"id": "a", "command": "x", "memory": 1.0})",
      R"({"id": "a", "command": "x", "memory": 18446744073709551615})",
      R"({"id": "a", "command": "x", "priority": -2147483649})",
      R"({"id": "a", "command": "x", "memory_auto": 1})",
      R"({"id": "a", "command": "x", "memory_auto": false})",
      R"({"id": "a", "command": "x", "resources": {"lic": 2, "lic": 3}})",
      R"({"id": "a", "command": "x", "resources": {"lic": "2"}})",
      R"({"id": "a", "command": "x", "resources": {"lic": {}}})",
      R"({"id": "a", "command": "x", "resources": []})",
      R"({"id": "a", "command": "x", "tags": {"p": 1}})",
      R"({"id": "a", "command": "x", "tags": {"p": "q", "p": "r"}})",
      R"({"id": "a", "command": "x", "depends_on": "b"})",
      R"({"id": "a", "command": "x", "depends_on": ["b", 1]})",
      R"({"id": "a", "command": "x", "depends_on": [["b"]]})",
      R"({"id": "a", "command": "x", "retry_backoff": {"initial": 1, "factor": "2"}})",
      R"({"id": "a", "command": "x", "retry_backoff": {"max": 3, "other": [1]}})",
      R"({"id": "a", "command": "x", "retry_backoff": 3})",
      R"({"id": "a", "command": "x", "origin": {"file": 1, "line": 2}})",
      R"({"id": "a", "command": "x", "origin": {"file": "f", "line": 2, "col": {"a": [1]}}})",
      R"({"id": "a", "command": "x", "origin": "f:2"})",
      R"({"id": "a", "command": "x", "unknown": {"deep": [[{"id": 3}]]}, "other": null})",
      R"({"id": "a", "command": "x", "id": "b"})",
      R"({"id": "a", "command": "x", "env": [["A", "1"]], "env": [["B", "2"]]})",
      R"({"id": "a", "command": "x"} {})",
      R"({"id": "a", "command": "x")",
      R"({"id": "a", "command": "x", })",
      "",
  };
  for (const char* doc : docs) ExpectBothReadersAgree(doc);
}

// Every document one edit away from a valid one (a byte dropped, replaced or doubled): the
// readers agree on all of them.
TEST(TaskSpecTextTest, DamagedDocumentsDecodeAsTheReferenceDoes) {
  std::mt19937 rng(20261202);
  const std::string full = TaskSpecToJson(FullSpec()).dump();
  const char kBytes[] = "{}[]\",:0123456789.-e ntrufalsx\\";
  for (size_t i = 0; i < full.size(); ++i) {
    std::string dropped = full;
    dropped.erase(i, 1);
    ExpectBothReadersAgree(dropped);
    for (int k = 0; k < 3; ++k) {
      std::string replaced = full;
      replaced[i] = kBytes[rng() % (sizeof(kBytes) - 1)];
      ExpectBothReadersAgree(replaced);
    }
    std::string doubled = full;
    doubled.insert(i, 1, full[i]);
    ExpectBothReadersAgree(doubled);
  }
}

}  // namespace
}  // namespace allot
