// The worker side of cluster mode against a test that plays the server with a real
// ServerEndpoint on loopback: WorkerAgent on a thread of this process, and the real
// `allot worker start` binary as a child process. Real sockets, real processes; every wait is
// for a message or a process, with a generous deadline.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include "exec/machine_overrides.h"
#include "protocol/server_endpoint.h"
#include "protocol/worker_messages.h"
#include "worker/worker_agent.h"

extern char** environ;

namespace allot {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kPatience = 60s;  // far above anything a healthy run needs

uint64_t Execution(uint32_t task, uint32_t attempt) {
  return (static_cast<uint64_t>(task) << 32) | attempt;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string AllotBinary() {
  if (const char* dir = std::getenv("ALLOT_BIN_DIR"); dir != nullptr && dir[0] != '\0') {
    return std::string(dir) + "/allot";
  }
  return (fs::read_symlink("/proc/self/exe").parent_path() / "allot").string();
}

// A fresh server directory, removed at destruction (the worker makes output/ when welcomed).
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "allot-worker-XXXXXX").string();
    path_ = mkdtemp(pattern.data()) ? pattern : "";
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }
  std::string output() const { return path_ + "/output"; }

 private:
  std::string path_;
};

// The test's side: a ServerEndpoint with fresh keys, and its access.json in a temp directory.
class TestServer {
 public:
  TestServer() {
    auto secrets = NewAccessSecrets();
    EXPECT_TRUE(secrets.ok());
    access_ = *secrets;
    access_.instance = "test-instance";
    access_.host = "localhost";
    access_.pid = getpid();
    access_.http_url = "http://127.0.0.1:9";  // no HTTP here: workers never use it
    auto endpoint = ServerEndpoint::Create(access_, "tcp://127.0.0.1:0");
    EXPECT_TRUE(endpoint.ok()) << endpoint.status().ToString();
    endpoint_ = std::move(*endpoint);
    access_.worker_endpoint = "tcp://127.0.0.1:" + std::to_string(endpoint_->port());
    EXPECT_TRUE(WriteAccessFile(dir_.path(), access_).ok());
    auto reread = ReadAccessFile(dir_.path());
    EXPECT_TRUE(reread.ok()) << reread.status().ToString();
  }

  const AccessFile& access() const { return access_; }
  const TempDir& dir() const { return dir_; }
  const std::string& peer() const { return peer_; }

  // The next message other than a heartbeat, within `patience`; nullopt on timeout.
  std::optional<WorkerToServer> Next(SteadyClock::duration patience = kPatience) {
    if (!pending_.empty()) {
      WorkerToServer message = std::move(pending_.front());
      pending_.pop_front();
      return message;
    }
    return Receive(patience, /*heartbeat=*/false);
  }

  // True once a heartbeat arrives within kPatience; other messages wait for Next.
  bool AwaitHeartbeat() {
    while (auto message = Receive(kPatience, /*heartbeat=*/true)) {
      if (std::holds_alternative<HeartbeatMessage>(*message)) return true;
      pending_.push_back(std::move(*message));
    }
    return false;
  }
  // The next message from the endpoint, heartbeats included when `heartbeat`.
  std::optional<WorkerToServer> Receive(SteadyClock::duration patience, bool heartbeat) {
    auto deadline = SteadyClock::now() + patience;
    std::string peer, payload;
    while (true) {
      while (endpoint_->Receive(&peer, &payload)) {
        auto message = DecodeWorkerToServer(payload);
        EXPECT_TRUE(message.ok()) << message.status().ToString();
        if (!message.ok()) continue;
        peer_ = peer;
        if (std::holds_alternative<HeartbeatMessage>(*message) && !heartbeat) continue;
        return *message;
      }
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
      if (left.count() <= 0) return std::nullopt;
      zmq_pollitem_t item = {endpoint_->socket(), 0, ZMQ_POLLIN, 0};
      zmq_poll(&item, 1, static_cast<long>(left.count()));
    }
  }

  // The next message, which must be a T.
  template <class T>
  std::optional<T> Expect() {
    auto message = Next();
    if (!message) {
      ADD_FAILURE() << "no message from the worker within the deadline";
      return std::nullopt;
    }
    if (!std::holds_alternative<T>(*message)) {
      ADD_FAILURE() << "unexpected " << MessageType(*message) << " from the worker";
      return std::nullopt;
    }
    return std::get<T>(*message);
  }

  // Exits from `exited` messages until every execution in `wanted` has been reported.
  std::map<uint64_t, ExitReport> ExpectExits(const std::vector<uint64_t>& wanted) {
    std::map<uint64_t, ExitReport> exits;
    auto all_there = [&] {
      for (uint64_t e : wanted) {
        if (exits.count(e) == 0) return false;
      }
      return true;
    };
    while (!all_there()) {
      auto exited = Expect<ExitedMessage>();
      if (!exited) break;
      for (ExitReport& e : exited->exits) exits[e.execution] = std::move(e);
    }
    return exits;
  }

  void Send(const ServerToWorker& message) {
    Status s = endpoint_->Send(peer_, Encode(message));
    EXPECT_TRUE(s.ok()) << s.ToString();
  }

  void Welcome(int64_t heartbeat_ms = 10'000) {
    Send(WelcomeMessage{1, access_.instance, heartbeat_ms, dir_.output(), std::nullopt});
  }

 private:
  TempDir dir_;
  AccessFile access_;
  std::unique_ptr<ServerEndpoint> endpoint_;
  std::string peer_;
  std::deque<WorkerToServer> pending_;  // received while awaiting a heartbeat
};

Machine OneCoreMachine() {
  MachineFlags flags;
  flags.cores = 1;
  auto machine = DetectMachineFromFlags(flags);
  EXPECT_TRUE(machine.ok()) << machine.status().ToString();
  return *machine;
}

AttemptToLaunch Attempt(uint32_t task, const std::string& id, const std::string& command,
                        const Machine& machine) {
  AttemptToLaunch a;
  a.execution = Execution(task, 1);
  a.task = id;
  a.attempt = 1;
  a.command = command;
  a.cpus = {machine.cpus.at(0).os_index};
  return a;
}

// WorkerAgent on a thread of this test (no signal handling: the test process owns signals).
class AgentThread {
 public:
  AgentThread(const AccessFile& access, WorkerAgentOptions options) {
    options.handle_signals = false;
    auto agent = WorkerAgent::Create(access, std::move(options));
    EXPECT_TRUE(agent.ok()) << agent.status().ToString();
    agent_ = std::move(*agent);
    thread_ = std::thread([this] { outcome_ = agent_->Run(); });
  }
  ~AgentThread() {
    if (thread_.joinable()) thread_.join();
  }
  // Waits for Run to return.
  WorkerOutcome Join() {
    thread_.join();
    EXPECT_TRUE(outcome_->ok()) << outcome_->status().ToString();
    return outcome_->ok() ? **outcome_ : WorkerOutcome{};
  }

 private:
  std::unique_ptr<WorkerAgent> agent_;
  std::optional<Result<WorkerOutcome>> outcome_;
  std::thread thread_;
};

WorkerAgentOptions Options(const Machine& machine) {
  WorkerAgentOptions options;
  options.name = "thread-worker";
  options.machine = machine;
  options.server_timeout = kPatience;
  return options;
}

// ---- The agent on a thread ----

TEST(WorkerAgentTest, AcksInLaunchAndAckMessagesForgetExits) {
  TestServer server;
  Machine machine = OneCoreMachine();
  AgentThread agent(server.access(), Options(machine));
  ASSERT_TRUE(server.Expect<RegisterMessage>());
  server.Welcome();

  server.Send(LaunchMessage{{Attempt(1, "a", "true", machine)}, {}});
  server.ExpectExits({Execution(1, 1)});
  server.Send(LaunchMessage{{Attempt(2, "b", "true", machine)}, {Execution(1, 1)}});
  server.ExpectExits({Execution(2, 1)});
  server.Send(LaunchMessage{{Attempt(3, "c", "true", machine)}, {}});
  server.ExpectExits({Execution(3, 1)});
  server.Send(AckMessage{{Execution(3, 1)}});

  server.Send(ReregisterMessage{});
  auto again = server.Expect<RegisterMessage>();
  ASSERT_TRUE(again);
  ASSERT_EQ(again->finished.size(), 1u);
  EXPECT_EQ(again->finished[0].execution, Execution(2, 1));
  EXPECT_TRUE(again->running.empty());

  server.Send(AckMessage{{Execution(2, 1)}});
  server.Send(StopMessage{});
  ASSERT_TRUE(server.Expect<GoodbyeMessage>());
  EXPECT_EQ(agent.Join().end, WorkerEnd::kStopped);
}

TEST(WorkerAgentTest, RegistersWithItsNodeAndAfterwardsOffersWhatItsWelcomeGaveIt) {
  TestServer server;
  WorkerAgentOptions options = Options(OneCoreMachine());
  options.node = {"node-a", {Cpu{0, 0, 0, 0}, Cpu{1, 0, 0, 1}}, int64_t{4} << 30};
  AgentThread agent(server.access(), options);
  auto first = server.Expect<RegisterMessage>();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->node, options.node);
  EXPECT_EQ(first->machine, options.machine);

  // The server gave it the node's other CPU and half the memory.
  Machine given;
  given.cpus = {Cpu{1, 0, 0, 1}};
  given.memory_bytes = int64_t{2} << 30;
  server.Send(WelcomeMessage{1, server.access().instance, 10'000, server.dir().output(), given});
  // As after a server restart: it comes back with what it was given.
  server.Send(ReregisterMessage{});
  auto again = server.Expect<RegisterMessage>();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->machine, given);
  EXPECT_EQ(again->node, options.node);
  server.Welcome();
  server.Send(StopMessage{});
  ASSERT_TRUE(server.Expect<GoodbyeMessage>());
  EXPECT_EQ(agent.Join().end, WorkerEnd::kStopped);
}

TEST(WorkerAgentTest, ARefuseEndsTheWorkerWithTheServersReason) {
  TestServer server;
  AgentThread agent(server.access(), Options(OneCoreMachine()));
  ASSERT_TRUE(server.Expect<RegisterMessage>());
  server.Send(RefuseMessage{"node n1 has no room for worker thread-worker"});
  WorkerOutcome outcome = agent.Join();
  EXPECT_EQ(outcome.end, WorkerEnd::kRefused);
  EXPECT_EQ(outcome.message,
            "refused by the server: node n1 has no room for worker thread-worker");
}

TEST(WorkerAgentTest, ReregistersWaitingForOneWelcomeAreAnsweredByOneRegister) {
  TestServer server;
  AgentThread agent(server.access(), Options(OneCoreMachine()));
  ASSERT_TRUE(server.Expect<RegisterMessage>());
  server.Welcome();
  // As a restarted server does for each message the worker queued while it was down.
  server.Send(ReregisterMessage{});
  server.Send(ReregisterMessage{});
  server.Send(ReregisterMessage{});
  server.Welcome();
  server.Send(ReregisterMessage{});  // welcomed since: answered again
  server.Welcome();
  server.Send(StopMessage{});
  int registers = 0;
  while (auto message = server.Next()) {
    if (std::holds_alternative<GoodbyeMessage>(*message)) break;
    registers += std::holds_alternative<RegisterMessage>(*message) ? 1 : 0;
  }
  EXPECT_EQ(registers, 2);
  EXPECT_EQ(agent.Join().end, WorkerEnd::kStopped);
}

TEST(WorkerAgentTest, StopTerminatesRunningTasksAndReportsThemBeforeGoodbye) {
  TestServer server;
  Machine machine = OneCoreMachine();
  AgentThread agent(server.access(), Options(machine));
  ASSERT_TRUE(server.Expect<RegisterMessage>());
  server.Welcome();
  server.Send(LaunchMessage{{Attempt(1, "long", "sleep 100", machine)}, {}});
  server.Send(ReregisterMessage{});  // a register says what runs: proof that it started
  auto registered = server.Expect<RegisterMessage>();
  ASSERT_TRUE(registered);
  ASSERT_EQ(registered->running.size(), 1u);
  EXPECT_EQ(registered->running[0],
            (RunningAttempt{Execution(1, 1), "long", 1, {machine.cpus[0].os_index}, {}, 0}));
  server.Welcome();

  server.Send(StopMessage{false});
  auto exits = server.ExpectExits({Execution(1, 1)});
  EXPECT_EQ(exits[Execution(1, 1)].usage.term_signal, SIGTERM);
  EXPECT_TRUE(exits[Execution(1, 1)].stopped_by_worker) << "its stop ended it, not its task";
  server.Send(AckMessage{{Execution(1, 1)}});
  auto goodbye = server.Expect<GoodbyeMessage>();
  ASSERT_TRUE(goodbye);
  EXPECT_EQ(goodbye->reason, "stop");
  WorkerOutcome outcome = agent.Join();
  EXPECT_EQ(outcome.end, WorkerEnd::kStopped);
  EXPECT_EQ(outcome.message, "stop");
}

TEST(WorkerAgentTest, StopWithKillKillsAtOnceEvenATaskIgnoringSigterm) {
  TestServer server;
  Machine machine = OneCoreMachine();
  WorkerAgentOptions options = Options(machine);
  options.kill_grace = kPatience;  // only the kill flag can end it in time
  AgentThread agent(server.access(), options);
  ASSERT_TRUE(server.Expect<RegisterMessage>());
  server.Welcome();
  server.Send(LaunchMessage{{Attempt(1, "stubborn", "trap '' TERM; sleep 100", machine)}, {}});
  server.Send(StopMessage{true});
  auto exits = server.ExpectExits({Execution(1, 1)});
  EXPECT_EQ(exits[Execution(1, 1)].usage.term_signal, SIGKILL);
  server.Send(AckMessage{{Execution(1, 1)}});
  ASSERT_TRUE(server.Expect<GoodbyeMessage>());
  EXPECT_EQ(agent.Join().end, WorkerEnd::kStopped);
}

TEST(WorkerAgentTest, LaunchesThatCannotStartAreReportedWithTheirError) {
  TestServer server;
  Machine machine = OneCoreMachine();
  AgentThread agent(server.access(), Options(machine));
  ASSERT_TRUE(server.Expect<RegisterMessage>());
  server.Welcome();
  // A workdir that does not exist is made; one under a plain file cannot be.
  AttemptToLaunch no_dir = Attempt(1, "no-dir", "true", machine);
  std::ofstream(server.dir().path() + "/a-file") << "not a directory\n";
  no_dir.workdir = server.dir().path() + "/a-file/cannot-be-made";
  AttemptToLaunch bad_id = Attempt(2, "../escape", "true", machine);
  AttemptToLaunch good = Attempt(3, "good", "true", machine);
  server.Send(LaunchMessage{{no_dir, bad_id, good}, {}});
  auto exits = server.ExpectExits({Execution(1, 1), Execution(2, 1), Execution(3, 1)});
  EXPECT_THAT(exits[Execution(1, 1)].error, HasSubstr("a-file/cannot-be-made"));
  EXPECT_EQ(exits[Execution(1, 1)].usage.exit_code, -1);
  EXPECT_EQ(exits[Execution(2, 1)].error, "task id '../escape' cannot be a directory name");
  EXPECT_EQ(exits[Execution(3, 1)].error, "");
  EXPECT_EQ(exits[Execution(3, 1)].usage.exit_code, 0);
  EXPECT_FALSE(fs::exists(server.dir().path() + "/escape"));
  server.Send(AckMessage{{Execution(1, 1), Execution(2, 1), Execution(3, 1)}});
  server.Send(StopMessage{});
  ASSERT_TRUE(server.Expect<GoodbyeMessage>());
  agent.Join();
}

TEST(WorkerAgentTest, IdleTimeoutSaysGoodbye) {
  TestServer server;
  Machine machine = OneCoreMachine();
  WorkerAgentOptions options = Options(machine);
  options.idle_timeout = 300ms;
  AgentThread agent(server.access(), options);
  ASSERT_TRUE(server.Expect<RegisterMessage>());
  server.Welcome();
  server.Send(LaunchMessage{{Attempt(1, "quick", "true", machine)}, {}});
  auto exits = server.ExpectExits({Execution(1, 1)});
  server.Send(AckMessage{{Execution(1, 1)}});
  auto goodbye = server.Expect<GoodbyeMessage>();
  ASSERT_TRUE(goodbye);
  EXPECT_EQ(goodbye->reason, "idle for 300ms");
  EXPECT_EQ(agent.Join().end, WorkerEnd::kIdle);
}

TEST(WorkerAgentTest, ServerSilenceKillsTheTasksAndEndsAsServerLost) {
  TestServer server;
  Machine machine = OneCoreMachine();
  WorkerAgentOptions options = Options(machine);
  options.server_timeout = 1s;
  AgentThread agent(server.access(), options);
  ASSERT_TRUE(server.Expect<RegisterMessage>());
  server.Welcome(100);
  server.Send(LaunchMessage{{Attempt(1, "orphan", "sleep 100", machine)}, {}});
  // From here the test answers nothing, not even the heartbeats.
  WorkerOutcome outcome = agent.Join();
  EXPECT_EQ(outcome.end, WorkerEnd::kServerLost);
  EXPECT_THAT(outcome.message, HasSubstr("no word from the server at " +
                                         server.access().worker_endpoint + " for 1s"));
  EXPECT_THAT(outcome.message, HasSubstr("killed 1 task"));
}

TEST(WorkerAgentTest, ExitsUnackedForLongAreSentAgain) {
  TestServer server;
  Machine machine = OneCoreMachine();
  WorkerAgentOptions options = Options(machine);
  options.resend_after = 200ms;
  AgentThread agent(server.access(), options);
  ASSERT_TRUE(server.Expect<RegisterMessage>());
  server.Welcome();
  server.Send(LaunchMessage{{Attempt(1, "lost-exit", "exit 4", machine)}, {}});
  auto first = server.ExpectExits({Execution(1, 1)});
  auto again = server.ExpectExits({Execution(1, 1)});  // as if the first had been lost
  EXPECT_EQ(again[Execution(1, 1)], first[Execution(1, 1)]);
  server.Send(AckMessage{{Execution(1, 1)}});
  server.Send(StopMessage{});
  ASSERT_TRUE(server.Expect<GoodbyeMessage>());
  agent.Join();
}

// ---- The real binary ----

// `allot worker start ARGS...` as a child process, stderr to a file.
class WorkerProcess {
 public:
  WorkerProcess(const std::vector<std::string>& args, const std::string& stderr_path) {
    std::vector<std::string> argv = {AllotBinary(), "worker", "start"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> c_argv;
    for (std::string& a : argv) c_argv.push_back(a.data());
    c_argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    int rc = posix_spawn(&pid_, c_argv[0], &actions, nullptr, c_argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    EXPECT_EQ(rc, 0) << "cannot start " << c_argv[0];
    if (rc != 0) pid_ = -1;
  }
  ~WorkerProcess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }

  // The exit status (as waitpid's), or nullopt when it still runs after `patience`.
  std::optional<int> Wait(std::chrono::milliseconds patience = kPatience) {
    int fd = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
    if (fd >= 0) {
      pollfd p = {fd, POLLIN, 0};
      int ready = poll(&p, 1, static_cast<int>(patience.count()));
      close(fd);
      if (ready != 1) return std::nullopt;
    }
    int status = 0;
    if (waitpid(pid_, &status, 0) != pid_) return std::nullopt;
    exited_ = true;
    return status;
  }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
};

TEST(WorkerBinaryTest, RunsLaunchedCommandsReportsExitsAndStopsWithGoodbye) {
  TestServer server;
  std::string log = server.dir().path() + "/worker.log";
  WorkerProcess worker({"--server-dir", server.dir().path(), "--cores", "1", "--resource",
                        "licenses=3", "--name", "bin-worker"},
                       log);

  auto registered = server.Expect<RegisterMessage>();
  ASSERT_TRUE(registered) << ReadFile(log);
  EXPECT_EQ(registered->name, "bin-worker");
  EXPECT_EQ(server.peer(), "bin-worker");
  EXPECT_EQ(registered->pid, worker.pid());
  Machine machine = registered->machine;
  ASSERT_EQ(machine.cpus.size(), 1u);
  EXPECT_EQ(machine.custom, (std::map<std::string, int64_t>{{"licenses", 3}}));
  EXPECT_GT(machine.memory_bytes, 0);
  EXPECT_TRUE(registered->running.empty());
  EXPECT_TRUE(registered->finished.empty());
  server.Welcome(100);
  EXPECT_TRUE(server.AwaitHeartbeat())
      << "no heartbeat after a welcome asking for one every 100 ms";

  AttemptToLaunch hello = Attempt(1, "hello", "echo hi $ALLOT_EXECUTION_ID $ALLOT_CORES", machine);
  hello.env = {{"GREETING", "from the task"}};
  AttemptToLaunch three = Attempt(2, "three", "echo \"$GREETING\" >&2; exit 3", machine);
  three.env = {{"GREETING", "to stderr"}};
  server.Send(LaunchMessage{{hello, three}, {}});
  auto exits = server.ExpectExits({hello.execution, three.execution});
  ASSERT_EQ(exits.size(), 2u);
  EXPECT_EQ(exits[hello.execution].usage.exit_code, 0);
  EXPECT_EQ(exits[hello.execution].task, "hello");
  EXPECT_EQ(exits[three.execution].usage.exit_code, 3);
  EXPECT_EQ(exits[three.execution].error, "");
  EXPECT_GT(exits[three.execution].usage.wall.count(), 0);
  std::string cpu = std::to_string(machine.cpus[0].os_index);
  EXPECT_EQ(ReadFile(server.dir().output() + "/hello/stdout"), "hi hello@1 " + cpu + "\n");
  EXPECT_EQ(ReadFile(server.dir().output() + "/three/stderr"), "to stderr\n");

  // Nothing acked yet: a reregister brings both exits back.
  server.Send(ReregisterMessage{});
  auto again = server.Expect<RegisterMessage>();
  ASSERT_TRUE(again);
  ASSERT_EQ(again->finished.size(), 2u);
  EXPECT_EQ(again->finished[0], exits[hello.execution]);
  EXPECT_EQ(again->finished[1], exits[three.execution]);
  server.Welcome(100);
  server.Send(AckMessage{{hello.execution, three.execution}});

  // A signal ends an attempt: launch and signal in one turn of the worker's loop or two.
  AttemptToLaunch sleeper = Attempt(3, "sleeper", "sleep 100", machine);
  server.Send(LaunchMessage{{sleeper}, {}});
  server.Send(SignalMessage{{{sleeper.execution, SIGKILL}}});
  auto killed = server.ExpectExits({sleeper.execution});
  EXPECT_EQ(killed[sleeper.execution].usage.term_signal, SIGKILL);
  EXPECT_EQ(killed[sleeper.execution].usage.exit_code, -1);
  EXPECT_FALSE(killed[sleeper.execution].stopped_by_worker) << "the server's signal, not a stop";
  server.Send(AckMessage{{sleeper.execution}});

  server.Send(StopMessage{false});
  auto goodbye = server.Expect<GoodbyeMessage>();
  ASSERT_TRUE(goodbye);
  EXPECT_EQ(goodbye->reason, "stop");
  auto status = worker.Wait();
  ASSERT_TRUE(status.has_value()) << "the worker did not exit after stop";
  ASSERT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 0) << ReadFile(log);

  std::string lines = ReadFile(log);
  EXPECT_THAT(lines, HasSubstr("bin-worker registering with " + server.access().worker_endpoint));
  EXPECT_THAT(lines, HasSubstr("joined server test-instance as worker 1"));
  EXPECT_THAT(lines, HasSubstr("stopping (stop)"));
}

TEST(WorkerBinaryTest, SigtermStopsTheTasksSaysGoodbyeAndExits143) {
  TestServer server;
  std::string log = server.dir().path() + "/worker.log";
  setenv("ALLOT_SERVER_DIR", server.dir().path().c_str(), 1);  // found without --server-dir
  WorkerProcess worker({"--cores", "1"}, log);
  unsetenv("ALLOT_SERVER_DIR");
  auto registered = server.Expect<RegisterMessage>();
  ASSERT_TRUE(registered) << ReadFile(log);
  EXPECT_THAT(registered->name,
              ::testing::StartsWith(registered->host + ":" + std::to_string(worker.pid()) + ":"));
  server.Welcome();
  AttemptToLaunch sleeper = Attempt(1, "sleeper", "sleep 100", registered->machine);
  server.Send(LaunchMessage{{sleeper}, {}});
  server.Send(ReregisterMessage{});
  auto running = server.Expect<RegisterMessage>();  // it runs now
  ASSERT_TRUE(running);
  ASSERT_EQ(running->running.size(), 1u);
  server.Welcome();

  kill(worker.pid(), SIGTERM);
  auto exits = server.ExpectExits({sleeper.execution});
  EXPECT_EQ(exits[sleeper.execution].usage.term_signal, SIGTERM);
  EXPECT_TRUE(exits[sleeper.execution].stopped_by_worker)
      << "the server must not count Slurm's SIGTERM to the worker as the task's failure";
  server.Send(AckMessage{{sleeper.execution}});
  auto goodbye = server.Expect<GoodbyeMessage>();
  ASSERT_TRUE(goodbye);
  EXPECT_EQ(goodbye->reason, "signal SIGTERM");
  auto status = worker.Wait();
  ASSERT_TRUE(status.has_value());
  ASSERT_TRUE(WIFEXITED(*status)) << ReadFile(log);
  EXPECT_EQ(WEXITSTATUS(*status), 128 + SIGTERM);
}

TEST(WorkerBinaryTest, SlurmsEndWarningSigusr1StopsTheTasksAsTheAllocationsEnd) {
  TestServer server;
  std::string log = server.dir().path() + "/worker.log";
  WorkerProcess worker({"--server-dir", server.dir().path(), "--cores", "1"}, log);
  auto registered = server.Expect<RegisterMessage>();
  ASSERT_TRUE(registered) << ReadFile(log);
  server.Welcome();
  AttemptToLaunch sleeper = Attempt(1, "sleeper", "sleep 100", registered->machine);
  server.Send(LaunchMessage{{sleeper}, {}});
  server.Send(ReregisterMessage{});
  auto running = server.Expect<RegisterMessage>();
  ASSERT_TRUE(running);
  ASSERT_EQ(running->running.size(), 1u);
  server.Welcome();

  kill(worker.pid(), SIGUSR1);  // sbatch --signal B:USR1@margin, forwarded by srun
  kill(worker.pid(), SIGUSR1);  // a second warning changes nothing
  auto exits = server.ExpectExits({sleeper.execution});
  EXPECT_EQ(exits[sleeper.execution].usage.term_signal, SIGTERM);
  EXPECT_TRUE(exits[sleeper.execution].stopped_by_worker);
  server.Send(AckMessage{{sleeper.execution}});
  auto goodbye = server.Expect<GoodbyeMessage>();
  ASSERT_TRUE(goodbye);
  EXPECT_THAT(goodbye->reason, HasSubstr("its allocation ends (SIGUSR1 from Slurm)"));
  auto status = worker.Wait();
  ASSERT_TRUE(status.has_value());
  ASSERT_TRUE(WIFEXITED(*status)) << ReadFile(log) << " (killed by SIGUSR1?)";
  EXPECT_EQ(WEXITSTATUS(*status), 75);
}

TEST(WorkerBinaryTest, StartedBeforeItsServerWaitsForItAndJoins) {
  TestServer server;
  const std::string access = server.dir().path() + "/access.json";
  const std::string hidden = access + ".later";
  ASSERT_EQ(rename(access.c_str(), hidden.c_str()), 0);
  std::string log = server.dir().path() + "/worker.log";
  WorkerProcess worker({"--server-dir", server.dir().path(), "--cores", "1"}, log);
  EXPECT_FALSE(worker.Wait(std::chrono::milliseconds(700)).has_value()) << ReadFile(log);
  EXPECT_THAT(ReadFile(log), HasSubstr("no server in " + server.dir().path() + " yet (" + access +
                                       " does not exist); waiting for one up to 5m"));
  ASSERT_EQ(rename(hidden.c_str(), access.c_str()), 0);  // the server is up now
  auto registered = server.Expect<RegisterMessage>();
  ASSERT_TRUE(registered) << ReadFile(log);
  server.Welcome();
  kill(worker.pid(), SIGTERM);
  EXPECT_TRUE(server.Expect<GoodbyeMessage>());
  auto status = worker.Wait();
  ASSERT_TRUE(status.has_value());
}

TEST(WorkerBinaryTest, BadFlagsAndMissingAccessFileExit2NamingThem) {
  TempDir dir;
  std::string log = dir.path() + "/worker.log";
  {
    // No server comes: after --server-timeout, exit 2 naming the file.
    WorkerProcess worker({"--server-dir", dir.path(), "--server-timeout", "1s"}, log);
    auto status = worker.Wait();
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(WEXITSTATUS(*status), 2);
    EXPECT_THAT(ReadFile(log), HasSubstr(dir.path() + "/access.json does not exist"));
    EXPECT_THAT(ReadFile(log), HasSubstr("waiting for one up to 1s"));
  }
  TestServer server;
  for (const std::vector<std::string>& bad : {std::vector<std::string>{"--idle-timeout", "soon"},
                                              std::vector<std::string>{"--server-timeout", "0"},
                                              std::vector<std::string>{"--resource", "licenses"},
                                              std::vector<std::string>{"--cores", "100000"},
                                              std::vector<std::string>{"--name", "two words"}}) {
    std::vector<std::string> args = {"--server-dir", server.dir().path()};
    args.insert(args.end(), bad.begin(), bad.end());
    WorkerProcess worker(args, log);
    auto status = worker.Wait();
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(WEXITSTATUS(*status), 2) << bad[0];
    EXPECT_THAT(ReadFile(log), HasSubstr(bad[0])) << bad[0];
  }
  EXPECT_FALSE(server.Next(100ms).has_value()) << "a worker with bad flags registered";
}

}  // namespace
}  // namespace allot
