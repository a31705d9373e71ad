#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client/table_text.h"
#include "client/task_table.h"
#include "client/worker_table.h"

namespace allot {
namespace {

using Json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(CountsLineTest, StatesInStateMachineOrderWithoutZeros) {
  EXPECT_EQ(CountsLine(Json{{"failed", 1}, {"ready", 8}, {"running", 3}, {"waiting", 0}}),
            "12 tasks: 8 ready, 3 running, 1 failed");
  EXPECT_EQ(CountsLine(Json::object()), "0 tasks: none");
  EXPECT_EQ(CountsLine(Json{{"succeeded", 1}}), "1 task: 1 succeeded");
}

TEST(TaskTableTest, OneLinePerTaskWithWorkerAndReason) {
  Json tasks = Json::parse(R"js([
    {"id": "sim-1", "state": "running", "attempt": 2, "execution": "sim-1@2", "worker": 3,
     "exit_code": null, "why": ""},
    {"id": "sim-2", "state": "ready", "attempt": 0, "execution": null, "worker": null,
     "exit_code": null, "why": "ready: waiting for free resources (4 cores)"},
    {"id": "sim-3", "state": "failed", "attempt": 1, "worker": "w", "exit_code": 2}])js");
  std::string table = FormatTaskTable(tasks, 0, 0);
  EXPECT_THAT(table, HasSubstr("ID"));
  EXPECT_THAT(table, HasSubstr("WORKER"));
  EXPECT_THAT(table, HasSubstr("ready: waiting for free resources (4 cores)"));
  EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), 4);
  EXPECT_THAT(table, Not(HasSubstr("more")));
}

TEST(TaskTableTest, LimitAndMoreSayHowManyAreNotShown) {
  Json tasks = Json::array({Json{{"id", "a"}}, Json{{"id", "b"}}, Json{{"id", "c"}}});
  std::string table = FormatTaskTable(tasks, 2, 10);
  EXPECT_THAT(table, HasSubstr("... 11 more (--all to list every task)"));
  EXPECT_THAT(table, Not(HasSubstr("c ")));
}

TEST(TaskDetailTest, ShowsCommandTagsAndEachAttempt) {
  Json task = Json::parse(R"({"id": "sim-3", "state": "running", "attempt": 2,
    "execution": "sim-3@2", "worker": 1, "command": "./sim 3", "tags": {"project": "epic"},
    "attempts": [
      {"attempt": 1, "execution": "sim-3@1", "worker": 1, "state": "lost", "exit_code": null,
       "signal": null, "wall_s": 12.5, "cpu_s": 10, "max_rss": 1048576, "reason": "worker lost"},
      {"attempt": 2, "execution": "sim-3@2", "worker": 1, "state": "running", "signal": 9}]})");
  std::string text = FormatTaskDetail(task);
  EXPECT_THAT(text, HasSubstr("sim-3: running (attempt 2, execution sim-3@2, worker 1)"));
  EXPECT_THAT(text, HasSubstr("command: ./sim 3"));
  EXPECT_THAT(text, HasSubstr("project=epic"));
  EXPECT_THAT(text, HasSubstr("worker lost"));
  EXPECT_THAT(text, HasSubstr("1 MiB"));
  EXPECT_THAT(text, HasSubstr("sig 9"));
}

TEST(TaskDetailTest, ATaskOfAnotherJobTypeShowsWhatItRunsAndItsParams) {
  Json task = Json::parse(R"({"id": "fit", "state": "ready", "attempt": 0, "command": "",
      "type": "python", "job": "python: trial.fit", "params": {"energy": 5}})");
  std::string text = FormatTaskDetail(task);
  EXPECT_THAT(text, HasSubstr("\n  python: trial.fit\n  params: {\"energy\":5}\n"));
  EXPECT_THAT(text, Not(HasSubstr("command:")));
}

TEST(TaskDetailTest, AttemptRowsShowCoresMemoryLimitHitAndIo) {
  Json attempts = Json::parse(R"([
      {"attempt": 1, "state": "ready", "worker": "", "exit_code": null, "signal": 9,
       "wall_s": 0.5, "cpu_s": 0.25, "mean_cores": 0.5, "peak_cores": 0.75,
       "max_rss": 136314880, "memory": 104857600, "memory_exceeded": true,
       "read_bytes": 2048, "write_bytes": 3145728, "reason": "killed at its memory limit"},
      {"attempt": 2, "state": "running", "memory": 268435456}])");
  std::string text = FormatAttemptTable(attempts);
  EXPECT_THAT(text, HasSubstr("MEM LIMIT"));
  EXPECT_THAT(text, HasSubstr("0.50/0.75"));
  EXPECT_THAT(text, HasSubstr("100 MiB!"));
  EXPECT_THAT(text, HasSubstr("130 MiB"));
  EXPECT_THAT(text, HasSubstr("3 MiB"));
  EXPECT_THAT(text, HasSubstr("256 MiB "));
  EXPECT_THAT(text, HasSubstr("killed at its memory limit"));
}

TEST(WorkerTableTest, CoresUsedOfTotalAndLastSeenAge) {
  Json workers = Json::parse(R"([{"id": 1, "name": "node1:42:ab", "host": "node1",
    "state": "active", "cores": 64, "free_cores": 60, "memory": 274877906944, "gpus": [0, 1],
    "running": 4, "joined_us": 0, "last_seen_us": 1000000}])");
  std::string table = FormatWorkerTable(workers, 4000000);
  EXPECT_THAT(table, HasSubstr("4/64"));
  EXPECT_THAT(table, HasSubstr("256 GiB"));
  EXPECT_THAT(table, HasSubstr("node1:42:ab"));
  EXPECT_THAT(table, HasSubstr("ago"));
  EXPECT_EQ(FormatWorkerTable(Json::array(), 0), "no workers\n");
}

TEST(WorkerTableTest, AGoneWorkerShowsNoCoresInUse) {
  Json workers = Json::parse(R"([{"id": 2, "name": "w2", "host": "node1", "state": "gone",
    "cores": 2, "free_cores": 0, "memory": 1073741824, "gpus": [], "running": 0,
    "joined_us": 0, "last_seen_us": 0}])");
  std::string table = FormatWorkerTable(workers, 1000000);
  EXPECT_THAT(table, HasSubstr(" -/2 "));
  EXPECT_THAT(table, ::testing::Not(HasSubstr("2/2")));
}

}  // namespace
}  // namespace allot
