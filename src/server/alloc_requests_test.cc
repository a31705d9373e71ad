#include "server/alloc_requests.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace allot {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

TEST(AllocRequestsTest, AnAddBodyGivesTheQueueWithItsDefaults) {
  Result<AllocAddRequest> r = ParseAllocAddBody(
      R"({"kind": "slurm", "partition": "cpu", "time_limit_s": 7200, "nodes": 2,
          "sbatch_args": ["--account=epic"]})");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->config.name, "cpu");  // the partition's name
  EXPECT_EQ(r->config.time_limit, 2h);
  EXPECT_EQ(r->slurm.nodes, 2);
  EXPECT_EQ(r->config.workers_per_alloc, 2);  // one per node
  EXPECT_EQ(r->config.max_workers, 8);        // four allocations' workers
  EXPECT_EQ(r->config.cores_per_worker, 0);   // from sinfo
  EXPECT_THAT(r->slurm.extra, ElementsAre("--account=epic"));
  EXPECT_FALSE(r->dry_run);
  Result<AllocAddRequest> unnamed = ParseAllocAddBody(R"({"time_limit_s": 60})");
  ASSERT_TRUE(unnamed.ok());
  EXPECT_EQ(unnamed->config.name, "slurm");
}

TEST(AllocRequestsTest, ABadAddBodyNamesTheField) {
  auto message = [](const char* body) { return ParseAllocAddBody(body).status().message(); };
  EXPECT_THAT(message(R"({"partition": "cpu"})"), HasSubstr("'time_limit_s': missing"));
  EXPECT_THAT(message(R"({"time_limit_s": 60, "max_workers": 0})"),
              HasSubstr("'max_workers': expected an integer of at least 1, got 0"));
  EXPECT_THAT(message(R"({"time_limit_s": 60, "min_utilization": 2})"),
              HasSubstr("'min_utilization': expected a number from 0 to 1"));
  EXPECT_THAT(message(R"({"time_limit_s": 60, "kind": "pbs"})"),
              HasSubstr("'kind': unknown kind \"pbs\" (accepted: slurm)"));
  EXPECT_THAT(message(R"({"time_limit_s": 60, "sbatch_args": [1]})"),
              HasSubstr("'sbatch_args': expected strings"));
  EXPECT_THAT(message(R"({"time_limit_s": 60, "colour": 1})"),
              HasSubstr("unknown field 'colour'"));
  EXPECT_THAT(message("[]"), HasSubstr("expected a JSON object"));
}

TEST(AllocRequestsTest, ControlTakesThreeActionsAndForce) {
  Result<AllocControlRequest> r = ParseAllocControl("cpu", "remove", R"({"force": true})");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->force);
  EXPECT_TRUE(ParseAllocControl("cpu", "pause", "").ok());
  EXPECT_THAT(ParseAllocControl("cpu", "stop", "").status().message(),
              HasSubstr("unknown queue action 'stop' (accepted: pause, resume, remove)"));
  EXPECT_THAT(ParseAllocControl("cpu", "remove", R"({"force": 1})").status().message(),
              HasSubstr("'force': expected true or false"));
}

TEST(AllocRequestsTest, EventsQueryTakesQueueSinceAndLimit) {
  Result<AllocEventsRequest> r =
      ParseAllocEventsQuery({{"queue", "cpu"}, {"since", "12"}, {"limit", "5"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->queue, "cpu");
  EXPECT_EQ(r->since, 12);
  EXPECT_EQ(r->limit, 5u);
  EXPECT_THAT(ParseAllocEventsQuery({{"since", "-1"}}).status().message(),
              HasSubstr("'since': expected a non-negative integer, got '-1'"));
  EXPECT_THAT(ParseAllocEventsQuery({{"limit", "0"}}).status().message(),
              HasSubstr("'limit': expected a positive integer"));
  EXPECT_THAT(ParseAllocEventsQuery({{"after", "1"}}).status().message(),
              HasSubstr("unknown (accepted: queue, since, limit)"));
}

}  // namespace
}  // namespace allot
