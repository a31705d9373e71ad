#include "model/task_spec_json.h"

#include <gtest/gtest.h>

namespace allot {
namespace {

using std::chrono::seconds;

TaskSpec FullSpec() {
  TaskSpec s;
  s.id = "sim-1";
  s.command = "geant4 --energy 5 && echo done";
  s.resources.cores = {2, 8};
  s.resources.memory_bytes = 3LL << 30;
  s.resources.gpus = 1;
  s.resources.custom = {{"licenses", 2}, {"scratch", 7}};
  s.time_limit = Duration(5400123457);  // not whole seconds on purpose
  s.time_estimate = seconds(600);
  s.grace_period = Duration(1500001);
  s.priority = -3;
  s.max_retries = 4;
  s.retry_backoff = {Duration(2500000), 1.5, seconds(90)};
  s.env = {{"Z_LAST", "1"}, {"A_FIRST", "two words"}, {"EMPTY", ""}};
  s.tags = {{"project", "epic"}, {"scenario", "b"}};
  s.workdir = "/runs/sim-1";
  s.depends_on = {"gen", "prep-2"};
  s.origin = {"tasks.yaml", 12};
  return s;
}

TEST(TaskSpecJsonTest, FullSpecRoundTripsExactly) {
  TaskSpec s = FullSpec();
  Result<TaskSpec> back = TaskSpecFromJson(TaskSpecToJson(s));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, s);
}

TEST(TaskSpecJsonTest, RoundTripSurvivesSerializingToText) {
  TaskSpec s = FullSpec();
  nlohmann::json reparsed = nlohmann::json::parse(TaskSpecToJson(s).dump());
  Result<TaskSpec> back = TaskSpecFromJson(reparsed);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, s);
}

TEST(TaskSpecJsonTest, DefaultSpecRoundTripsAndStaysSmall) {
  TaskSpec s;
  s.id = "a";
  s.command = "true";
  s.workdir = "/w";
  nlohmann::json j = TaskSpecToJson(s);
  EXPECT_EQ(j.size(), 5u) << j.dump();  // id, command, cores, workdir, origin
  EXPECT_EQ(j["cores"], 1);
  Result<TaskSpec> back = TaskSpecFromJson(j);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, s);
}

TEST(TaskSpecJsonTest, UsesTaskFileShape) {
  nlohmann::json j = TaskSpecToJson(FullSpec());
  EXPECT_EQ(j["memory"], 3LL << 30);
  EXPECT_EQ(j["time_estimate"], 600);
  EXPECT_EQ(j["cores"]["min"], 2);
  EXPECT_EQ(j["env"][0][0], "Z_LAST");
  EXPECT_EQ(j["tags"]["project"], "epic");
}

TEST(TaskSpecJsonTest, RejectsDocumentsOfAnotherShapeAsCorruption) {
  for (const char* text : {R"([])", R"({"command": "x"})", R"({"id": 3, "command": "x"})",
                           R"({"id": "a", "command": "x", "cores": "two"})",
                           R"({"id": "a", "command": "x", "env": {"A": "1"}})",
                           R"({"id": "a", "command": "x", "time_limit": "1h"})"}) {
    Result<TaskSpec> r = TaskSpecFromJson(nlohmann::json::parse(text));
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << text;
  }
}

}  // namespace
}  // namespace allot
