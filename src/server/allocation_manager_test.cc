// AllocationManager's loop against a scripted Slurm (what sbatch, squeue and scancel answer):
// the decisions themselves are PlanAllocations' (core/autoalloc); here, that they are carried
// out and that every one of them leaves an event with its reason. The real Slurm runs in
// tests/e2e (local-slurm.sh).
#include "server/allocation_manager.h"

#include <algorithm>
#include <cstdlib>
#include <ctime>

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
  std::vector<std::string> last_argv;
  std::string sbatch_error;  // non-empty: sbatch fails with it
  std::string started_at = "2023-11-14T22:00:00";  // squeue's start of running jobs (local)

  CommandOutput operator()(const std::vector<std::string>& argv, const std::string& in) {
    calls.push_back(argv[0]);
    if (argv[0] == "sinfo") return {0, "8|32000|gpu:2\n16|64000|(null)\n", ""};
    if (argv[0] == "sbatch" &&
        std::find(argv.begin(), argv.end(), "--test-only") != argv.end()) {
      last_argv = argv;
      if (!sbatch_error.empty()) return {1, "", "sbatch: error: " + sbatch_error + "\n"};
      return {0, "", "sbatch: Job 7 to start at 2026-12-03T16:00:00 using 8 processors on nodes n1 in partition debug\n"};
    }
    if (argv[0] == "sbatch") {
      last_argv = argv;
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
               (s == "RUNNING" ? started_at + "|2023-11-14T23:00:00|n1"
                               : "N/A|N/A|(Priority)") + "\n";
      }
      return {0, out, ""};
    }
    if (argv[0] == "scancel") {
      for (size_t i = 1; i < argv.size(); ++i) state.erase(argv[i]);
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
  ASSERT_TRUE(f.m.AddQueue(Queue(), {"debug", 1, {"--account", "epic"}}).ok());
  f.m.TakeEvents();  // "added"
  std::vector<WaitingTask> work(8, WaitingTask{4, 0, 0, 20min, ""});
  f.m.Tick(work, {});
  std::vector<AllocEvent> e = f.m.TakeEvents();
  ASSERT_THAT(Kinds(e), ElementsAre("submitted"));
  EXPECT_EQ(e[0].job_id, "100");
  EXPECT_THAT(e[0].reason, HasSubstr("8 tasks waiting"));
  EXPECT_THAT(f.slurm.last_script, HasSubstr("srun --kill-on-bad-exit=0 --cpus-per-task 4 /opt/allot/bin/allot "
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
  f.m.TakeEvents();  // "added"
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
  ASSERT_TRUE(f.m.AddQueue(Queue(), {"nope", 1, {}}).ok());
  f.m.TakeEvents();  // "added"
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

TEST(AllocationManagerTest, AQueueWithoutCoresPerWorkerSharesThePartitionsSmallestNode) {
  Fixture f;
  AllocQueueConfig q = Queue();
  q.cores_per_worker = 0;
  q.workers_per_alloc = 4;
  ASSERT_TRUE(f.m.AddQueue(q, {"debug", 2, {}}).ok());
  const AllocQueueConfig& c = f.m.List()[0].config;
  EXPECT_EQ(c.cores_per_worker, 4);  // 8 CPUs (the smaller node) for 2 workers per node
  EXPECT_EQ(c.memory_per_worker, int64_t{16000} * 1024 * 1024);
  EXPECT_EQ(c.gpus_per_worker, 0);
  f.m.TakeEvents();
  f.m.Tick(std::vector<WaitingTask>(8, WaitingTask{4, 0, 0, 50min, ""}), {});
  EXPECT_THAT(f.slurm.last_argv, testing::IsSupersetOf({"--nodes", "2", "--ntasks-per-node",
                                                         "--cpus-per-task", "4"}));
  q.name = "odd";
  q.workers_per_alloc = 3;
  EXPECT_THAT(f.m.AddQueue(q, {"debug", 2, {}}).message(),
              HasSubstr("--workers-per-alloc: 3 workers cannot be spread evenly over 2 nodes"));
}

TEST(AllocationManagerTest, AJustStartedAllocationCountsAsComingUntilItsWorkersConnect) {
  setenv("TZ", "UTC", 1);
  tzset();
  Fixture f;
  ASSERT_TRUE(f.m.AddQueue(Queue(), {}).ok());
  std::vector<WaitingTask> work(1, WaitingTask{4, 0, 0, 20min, ""});
  f.m.Tick(work, {});
  f.slurm.state["100"] = "RUNNING";
  f.slurm.started_at = "2023-11-14T22:13:10";  // 10 s ago on the fake wall clock
  f.m.Tick(work, {});  // its worker has not connected yet: the same work needs no second one
  f.m.Tick(work, {});
  std::vector<AllocEvent> e = f.m.TakeEvents();
  EXPECT_THAT(Kinds(e), ElementsAre("added", "submitted", "started", "not-submitting")) <<
      e.back().reason;
  // Connected and busy, work still waiting: now that work needs another worker.
  f.m.Tick(work, {{"100", JobWorkers{1, std::nullopt}}});
  e = f.m.TakeEvents();
  ASSERT_FALSE(e.empty());
  EXPECT_EQ(e[0].kind, "submitted") << e[0].reason;
}

TEST(AllocationManagerTest, ADryRunIsSlurmsAnswerToTestOnlyAndAddsNothing) {
  Fixture f;
  Result<std::string> said = f.m.DryRun(Queue(), {"debug", 1, {}});
  ASSERT_TRUE(said.ok()) << said.status().message();
  EXPECT_THAT(*said, HasSubstr("Job 7 to start"));
  EXPECT_THAT(f.slurm.last_argv, testing::Contains("--test-only"));
  EXPECT_TRUE(f.m.List().empty());
  f.slurm.sbatch_error = "invalid partition specified: nope";
  Result<std::string> refused = f.m.DryRun(Queue(), {"nope", 1, {}});
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(),
              HasSubstr("sbatch --test-only refused it: invalid partition specified: nope"));
}

TEST(AllocationManagerTest, RemovingAQueueWithAllocationsNeedsForceWhichCancelsThem) {
  Fixture f;
  ASSERT_TRUE(f.m.AddQueue(Queue(), {}).ok());
  f.m.Tick(std::vector<WaitingTask>(1, WaitingTask{1, 0, 0, 1min, ""}), {});
  Status s = f.m.Remove("short", false);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("1 allocation(s) (100)"));
  ASSERT_TRUE(f.m.Remove("short", true).ok());
  EXPECT_TRUE(f.slurm.state.empty());
  EXPECT_TRUE(f.m.List().empty());
  EXPECT_EQ(f.m.Remove("short", true).code(), StatusCode::kNotFound);
}

TEST(AllocationManagerTest, ARestoredManagerKnowsItsQueuesAndAllocations) {
  Fixture f;
  ASSERT_TRUE(f.m.AddQueue(Queue(), {"debug", 1, {"--qos", "low"}}).ok());
  f.m.Tick(std::vector<WaitingTask>(1, WaitingTask{1, 0, 0, 1min, ""}), {});
  ASSERT_TRUE(f.m.Pause("short").ok());
  const std::string state = f.m.State();

  AllocationManager again{&f.clock, [&f](const auto& a, const auto& i) { return f.slurm(a, i); },
                          "/opt/allot/bin/allot", "/srv/allot"};
  ASSERT_TRUE(again.Restore(state).ok());
  ASSERT_EQ(again.List().size(), 1u);
  const AllocationManager::QueueView v = again.List()[0];
  EXPECT_TRUE(v.paused);
  EXPECT_EQ(v.config.cores_per_worker, 4);
  EXPECT_EQ(v.config.time_limit, 1h);
  EXPECT_THAT(v.slurm.extra, ElementsAre("--qos", "low"));
  ASSERT_EQ(v.jobs.size(), 1u);
  EXPECT_EQ(v.jobs[0].job_id, "100");
  EXPECT_EQ(again.State(), state);
  EXPECT_EQ(again.Restore("{").code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace allot
