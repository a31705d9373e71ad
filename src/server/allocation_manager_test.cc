// AllocationManager's loop against a scripted Slurm (what sbatch, squeue and scancel answer):
// the decisions themselves are PlanAllocations' (core/autoalloc); here, that they are carried
// out and that every one of them leaves an event with its reason. The real Slurm runs in
// tests/e2e (local-slurm.sh).
#include "server/allocation_manager.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/fake_clock.h"

namespace allot {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Answers like Slurm: sbatch hands out ids, squeue prints the jobs it still has.
struct ScriptedSlurm {
  int next_id = 100;
  std::map<std::string, std::string> state;  // job id -> PENDING/RUNNING
  std::vector<std::string> calls;
  std::string last_script;
  std::string sbatch_error;  // non-empty: sbatch fails with it

  CommandOutput operator()(const std::vector<std::string>& argv, const std::string& in) {
    calls.push_back(argv[0]);
    if (argv[0] == "sbatch") {
      if (!sbatch_error.empty()) return {1, "", "sbatch: error: " + sbatch_error + "\n"};
      last_script = in;
      std::string id = std::to_string(next_id++);
      state[id] = "PENDING";
      return {0, id + "\n", ""};
    }
    if (argv[0] == "squeue") {
      std::string out;
      for (const auto& [id, s] : state) {
        out += id + "|" + s + "|" +
               (s == "RUNNING" ? "2023-11-14T22:00:00|2023-11-14T23:00:00|n1"
                               : "N/A|N/A|(Priority)") + "\n";
      }
      return {0, out, ""};
    }
    if (argv[0] == "scancel") {
      state.erase(argv[1]);
      return {0, "", ""};
    }
    return {127, "", "unknown command"};
  }
};

AllocQueueConfig Queue() {
  AllocQueueConfig q;
  q.name = "short";
  q.time_limit = 1h;
  q.cores_per_worker = 4;
  q.max_workers = 4;
  q.max_pending = 1;
  q.idle_timeout = 5min;
  return q;
}

std::vector<std::string> Kinds(const std::vector<AllocEvent>& events) {
  std::vector<std::string> k;
  for (const AllocEvent& e : events) k.push_back(e.kind);
  return k;
}

struct Fixture {
  FakeClock clock;
  ScriptedSlurm slurm;
  AllocationManager m{&clock, [this](const auto& a, const auto& i) { return slurm(a, i); },
                      "/opt/allot/bin/allot", "/srv/allot"};
};

TEST(AllocationManagerTest, WorkArrivingSubmitsAnAllocationWhoseScriptStartsTheWorkers) {
  Fixture f;
  ASSERT_TRUE(f.m.AddQueue(Queue(), {"debug", {"--account", "epic"}}).ok());
  std::vector<WaitingTask> work(8, WaitingTask{4, 0, 0, 20min, ""});
  f.m.Tick(work, {});
  std::vector<AllocEvent> e = f.m.TakeEvents();
  ASSERT_THAT(Kinds(e), ElementsAre("submitted"));
  EXPECT_EQ(e[0].job_id, "100");
  EXPECT_THAT(e[0].reason, HasSubstr("8 tasks waiting"));
  EXPECT_THAT(f.slurm.last_script, HasSubstr("srun --kill-on-bad-exit=0 /opt/allot/bin/allot "
                                             "worker start --server-dir /srv/allot"));
  // Pending, at max_pending: the next ticks say why not, once while the reason holds.
  f.m.Tick(work, {});
  f.m.Tick(work, {});
  e = f.m.TakeEvents();
  ASSERT_THAT(Kinds(e), ElementsAre("not-submitting"));
  EXPECT_THAT(e[0].reason, HasSubstr("held back by the limits"));
}

TEST(AllocationManagerTest, AnAllocationStartsIdlesIsReleasedAndEnds) {
  Fixture f;
  ASSERT_TRUE(f.m.AddQueue(Queue(), {}).ok());
  std::vector<WaitingTask> work(1, WaitingTask{1, 0, 0, 1min, ""});
  f.m.Tick(work, {});
  f.slurm.state["100"] = "RUNNING";
  f.m.Tick({}, {{"100", JobWorkers{1, std::nullopt}}});
  EXPECT_THAT(Kinds(f.m.TakeEvents()), ElementsAre("submitted", "started", "not-submitting"));
  f.clock.Advance(10min);
  f.m.Tick({}, {{"100", JobWorkers{1, f.clock.Now() - 6min}}});
  std::vector<AllocEvent> e = f.m.TakeEvents();
  ASSERT_FALSE(e.empty());
  EXPECT_EQ(e[0].kind, "released");
  EXPECT_EQ(e[0].job_id, "100");
  f.m.Tick({}, {});
  e = f.m.TakeEvents();
  ASSERT_FALSE(e.empty());
  EXPECT_EQ(e[0].kind, "ended");
  EXPECT_EQ(e[0].reason, "released");
  EXPECT_TRUE(f.m.List()[0].jobs.empty());
}

TEST(AllocationManagerTest, FailedSubmissionsBackOffThenPauseTheQueueUntilResumed) {
  Fixture f;
  ASSERT_TRUE(f.m.AddQueue(Queue(), {"nope", {}}).ok());
  f.slurm.sbatch_error = "invalid partition specified: nope";
  std::vector<WaitingTask> work(1, WaitingTask{1, 0, 0, 1min, ""});
  for (int i = 0; i < 8; ++i) {
    f.m.Tick(work, {});
    f.clock.Advance(1h);  // past any backoff
  }
  std::vector<AllocEvent> e = f.m.TakeEvents();
  EXPECT_EQ(std::count_if(e.begin(), e.end(),
                          [](const AllocEvent& x) { return x.kind == "submit-failed"; }),
            5);
  EXPECT_EQ(e[0].reason, "invalid partition specified: nope");
  EXPECT_EQ(e[5].kind, "paused");
  EXPECT_THAT(e[5].reason, HasSubstr("paused after 5 failed submissions"));
  EXPECT_TRUE(f.m.List()[0].paused);
  f.slurm.sbatch_error.clear();
  ASSERT_TRUE(f.m.Resume("short").ok());
  f.m.Tick(work, {});
  EXPECT_THAT(Kinds(f.m.TakeEvents()), ElementsAre("resumed", "submitted"));
}

TEST(AllocationManagerTest, ABadQueueIsRefusedNamingTheFlag) {
  Fixture f;
  AllocQueueConfig q = Queue();
  q.min_workers = 9;
  Status s = f.m.AddQueue(q, {});
  EXPECT_THAT(s.message(), HasSubstr("--min-workers: must be between 0 and --max-workers"));
  q = Queue();
  q.time_limit = 30s;
  EXPECT_THAT(f.m.AddQueue(q, {}).message(), HasSubstr("--time-limit"));
  ASSERT_TRUE(f.m.AddQueue(Queue(), {}).ok());
  EXPECT_EQ(f.m.AddQueue(Queue(), {}).code(), StatusCode::kAlreadyExists);
}

}  // namespace
}  // namespace allot
