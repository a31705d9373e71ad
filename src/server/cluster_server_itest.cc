// The cluster server in one test process: ClusterServer (its ServerLoop, ZmqChannel and HTTP
// API) on ephemeral ports, and N WorkerAgents on threads talking to it over real ZeroMQ/CURVE,
// running real processes. The server's clock is a FakeClock that never moves: whatever
// returns, returns because of what happened (a commit, a message), not because time passed.
// Every wait is for an outcome, with a generous deadline.
#include "server/cluster_server.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <set>
#include <thread>

#include "testing/fake_clock.h"
#include "worker/worker_agent.h"

namespace allot {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using namespace std::chrono_literals;

std::string TestTask() {
  const char* dir = std::getenv("ALLOT_BIN_DIR");
  const fs::path bin = dir != nullptr && dir[0] != '\0'
                           ? fs::path(dir)
                           : fs::read_symlink("/proc/self/exe").parent_path();
  return fs::absolute(bin / "allot-test-task").string();
}

// One CPU of this machine (the workers pin their tasks to it), `index` modulo the CPUs.
Machine OneCpu(int index) {
  Machine m;
  const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  const int id = static_cast<int>(index % std::max(1L, cpus));
  m.cpus.push_back(Cpu{id, 0, 0, id});
  m.memory_bytes = int64_t{1} << 30;
  return m;
}

class InProcessCluster : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "allot-cluster-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    ClusterServerOptions options;
    options.dir = root_ + "/server";
    options.worker_host = "127.0.0.1";
    auto server = ClusterServer::Create(options, &clock_);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    loop_ = std::thread([this] { run_status_ = server_->Run(); });
  }

  void TearDown() override {
    if (server_ && loop_.joinable()) {
      (void)server_->StopServer(StopServerRequest{.kill = true});
      loop_.join();
    }
    for (std::thread& t : agent_threads_) t.join();
    agents_.clear();
    server_.reset();
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }

  // A worker named `name` with one CPU, on a thread; returns once the server lists it.
  void AddWorker(const std::string& name, int cpu) {
    WorkerAgentOptions o;
    o.name = name;
    o.machine = OneCpu(cpu);
    o.handle_signals = false;
    o.sample_interval = Duration(0);
    auto agent = WorkerAgent::Create(server_->access(), o);
    ASSERT_TRUE(agent.ok()) << agent.status().ToString();
    WorkerAgent* raw = agent->get();
    agents_.push_back(std::move(*agent));
    agent_threads_.emplace_back([raw] { (void)raw->Run(); });
    ASSERT_TRUE(AwaitWorkers(agents_.size())) << "worker " << name << " did not join";
  }

  // A worker on `node` offering what `allot worker start --cores 1` offers there: the node's
  // first CPU and its whole memory. On a thread; its outcome comes through the future.
  std::future<WorkerOutcome> StartWorkerOnNode(const std::string& name, const NodeResources& node) {
    WorkerAgentOptions o;
    o.name = name;
    o.machine.cpus = {node.cpus[0]};
    o.machine.memory_bytes = node.memory_bytes;
    o.node = node;
    o.handle_signals = false;
    o.sample_interval = Duration(0);
    auto agent = WorkerAgent::Create(server_->access(), o);
    EXPECT_TRUE(agent.ok()) << agent.status().ToString();
    if (!agent.ok()) return {};
    WorkerAgent* raw = agent->get();
    agents_.push_back(std::move(*agent));
    auto outcome = std::make_shared<std::promise<WorkerOutcome>>();
    std::future<WorkerOutcome> future = outcome->get_future();
    agent_threads_.emplace_back([raw, outcome] {
      Result<WorkerOutcome> ended = raw->Run();
      outcome->set_value(ended.ok() ? *ended : WorkerOutcome{});
    });
    return future;
  }

  std::string Output(const std::string& task) {
    std::ifstream in(root_ + "/server/output/" + task + "/stdout");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  bool AwaitWorkers(size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
      auto workers = server_->ListWorkers();
      size_t active = 0;
      if (workers.ok()) {
        for (const Json& w : (*workers)["workers"]) active += w["state"] == "active";
      }
      if (active == n) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  Result<Json> Submit(const std::string& yaml) {
    return server_->Submit(SubmitRequest{"tasks.yaml", yaml, root_});
  }

  // Waits for every task (or `refs`), with a timeout the fake clock never reaches.
  Json WaitAll(std::vector<std::string> refs = {}) {
    auto answer = server_->Wait(WaitRequest{std::move(refs), WaitRequest::kMaxTimeoutS});
    EXPECT_TRUE(answer.ok()) << answer.status().ToString();
    return answer.ok() ? *answer : Json();
  }

  std::string TaskCommand(const std::string& args) { return TestTask() + " " + args; }

  std::string root_;
  FakeClock clock_;
  std::unique_ptr<ClusterServer> server_;
  std::thread loop_;
  Status run_status_;
  std::vector<std::unique_ptr<WorkerAgent>> agents_;
  std::vector<std::thread> agent_threads_;
};

TEST_F(InProcessCluster, TwoWorkersRunACampaignAndWaitWakesOnTheFinalCommit) {
  AddWorker("w1", 0);
  AddWorker("w2", 1);
  std::string yaml = "tasks:\n";
  for (int i = 0; i < 6; ++i) {
    yaml += "  - {id: sim-" + std::to_string(i) + ", command: \"" +
            TaskCommand("--sleep 0.2") + "\"}\n";
  }
  yaml += "  - {id: merge, depends_on: [\"sim-*\"], command: \"" + TaskCommand("") + "\"}\n";
  auto submitted = Submit(yaml);
  ASSERT_TRUE(submitted.ok()) << submitted.status().ToString();
  EXPECT_EQ((*submitted)["ids"].size(), 7u);

  // The server's clock never moves: this returns only because a commit woke it.
  Json done = WaitAll();
  EXPECT_TRUE(done["done"].get<bool>()) << done.dump();
  EXPECT_EQ(done["counts"]["succeeded"], 7);

  std::set<std::string> workers;
  for (int i = 0; i < 6; ++i) {
    auto task = server_->GetTask("sim-" + std::to_string(i));
    ASSERT_TRUE(task.ok());
    for (const Json& a : (*task)["attempts"]) workers.insert(a["worker"].get<std::string>());
  }
  EXPECT_EQ(workers, (std::set<std::string>{"w1", "w2"}));
}

TEST_F(InProcessCluster, AWorkerStoppedByRequestHasItsAttemptRunAgainOnAnother) {
  AddWorker("w1", 0);
  ASSERT_TRUE(Submit("tasks:\n  - {id: long, command: \"" + TaskCommand("--sleep 600") +
                     "\"}\n").ok());
  // It runs on w1, the only worker.
  Json running;
  for (int i = 0; i < 3000; ++i) {
    auto task = server_->GetTask("long");
    ASSERT_TRUE(task.ok());
    running = *task;
    if (running["state"] == "running" && !running["attempts"].empty()) break;
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(running["state"], "running") << running.dump();
  AddWorker("w2", 1);
  auto stopped = server_->ControlWorker(WorkerControlRequest{"w1", WorkerAction::kStop});
  ASSERT_TRUE(stopped.ok()) << stopped.status().ToString();

  // Lost with w1, ready again, and started on w2 as attempt 2.
  Json again;
  for (int i = 0; i < 3000; ++i) {
    auto task = server_->GetTask("long@2");
    if (task.ok() && (*task)["state"] == "running") {
      again = *task;
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_FALSE(again.is_null()) << "attempt 2 never started";
  EXPECT_EQ(again["worker"], "w2");
  ASSERT_TRUE(server_->Control(ControlRequest{ControlAction::kCancel, {"long"}}).ok());
  Json done = WaitAll({"long"});
  EXPECT_TRUE(done["done"].get<bool>());
  EXPECT_EQ(done["unsuccessful"][0]["state"], "canceled");
}

TEST_F(InProcessCluster, EventsLongPollReturnsWhatWasCommitted) {
  AddWorker("w1", 0);
  auto before = server_->Events(EventsRequest{.after = 0, .timeout_s = 0, .limit = 100});
  ASSERT_TRUE(before.ok());
  const int64_t after = (*before)["last"].get<int64_t>();
  ASSERT_TRUE(Submit("tasks:\n  - {id: one, command: \"" + TaskCommand("") + "\"}\n").ok());
  // A long poll that only a commit can end (the fake clock never reaches its deadline).
  auto events = server_->Events(
      EventsRequest{.after = after, .timeout_s = WaitRequest::kMaxTimeoutS, .limit = 100});
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_FALSE((*events)["events"].empty());
  EXPECT_EQ((*events)["events"][0]["task"], "one");
}

TEST_F(InProcessCluster, StopServerEndsTheLoopAndStopsTheWorkers) {
  AddWorker("w1", 0);
  ASSERT_TRUE(server_->StopServer(StopServerRequest{}).ok());
  loop_.join();
  EXPECT_TRUE(run_status_.ok()) << run_status_.ToString();
  for (std::thread& t : agent_threads_) t.join();
  agent_threads_.clear();
  // After the loop ended, calls are refused, not hung.
  auto late = server_->ListTasks(TaskQuery{});
  EXPECT_EQ(late.status().code(), StatusCode::kUnavailable);
}

// Issue 11 point 2: two `--cores 1` workers on one node both ran their tasks on CPU 0 and both
// claimed the node's whole memory.
TEST_F(InProcessCluster, WorkersOnOneNodeRunTheirTasksOnDisjointCpusWithHalfTheMemoryEach) {
  if (sysconf(_SC_NPROCESSORS_ONLN) < 2) GTEST_SKIP() << "needs two CPUs";
  NodeResources node{"itest-node", {Cpu{0, 0, 0, 0}, Cpu{1, 0, 0, 1}}, int64_t{2} << 30};
  StartWorkerOnNode("w1", node);
  ASSERT_TRUE(AwaitWorkers(1));
  StartWorkerOnNode("w2", node);
  ASSERT_TRUE(AwaitWorkers(2));

  // Each waits for the other: they can only end by running side by side, one per worker.
  auto task = [&](const std::string& id, const std::string& other) {
    return "  - {id: " + id + ", command: \"echo $ALLOT_CORES; grep Cpus_allowed_list " +
           "/proc/self/status; touch " + root_ + "/" + id + "; while [ ! -e " + root_ + "/" +
           other + " ]; do sleep 0.01; done\"}\n";
  };
  ASSERT_TRUE(Submit("tasks:\n" + task("a", "b") + task("b", "a")).ok());
  Json done = WaitAll();
  EXPECT_EQ(done["counts"]["succeeded"], 2) << done.dump();
  std::set<std::string> outputs = {Output("a"), Output("b")};
  EXPECT_EQ(outputs, (std::set<std::string>{"0\nCpus_allowed_list:\t0\n",
                                            "1\nCpus_allowed_list:\t1\n"}));

  auto workers = server_->ListWorkers();
  ASSERT_TRUE(workers.ok());
  for (const Json& w : (*workers)["workers"]) {
    EXPECT_EQ(w["memory"], int64_t{1} << 30) << w.dump();
    EXPECT_EQ(w["cores"], 1) << w.dump();
  }
}

TEST_F(InProcessCluster, AWorkerForWhichItsNodeHasNoRoomLeftIsRefusedNamingTheOthers) {
  NodeResources node{"itest-node", {Cpu{0, 0, 0, 0}}, int64_t{2} << 30};
  StartWorkerOnNode("w1", node);
  ASSERT_TRUE(AwaitWorkers(1));
  std::future<WorkerOutcome> refused = StartWorkerOnNode("w2", node);
  ASSERT_EQ(refused.wait_for(60s), std::future_status::ready) << "w2 was not refused";
  WorkerOutcome outcome = refused.get();
  EXPECT_EQ(outcome.end, WorkerEnd::kRefused);
  EXPECT_EQ(outcome.message,
            "refused by the server: node itest-node has no room for worker w2: it asks for at "
            "least 1 CPU, and 0 of the node's 1 are free; worker w1 holds CPU 0 and 2 GiB");
  EXPECT_TRUE(AwaitWorkers(1));
}

}  // namespace
}  // namespace allot
