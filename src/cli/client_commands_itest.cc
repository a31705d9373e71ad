// The client commands of the real `allot` binary against a real HttpApi whose backend is
// scripted by the test: what each command sends, prints and exits with. The server's real
// backend is tested on its own; here both HTTP sides and the CLI meet.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/exit_codes.h"
#include "protocol/access_file.h"
#include "server/http_api.h"

namespace allot {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using ::testing::HasSubstr;

class ScriptedBackend : public ApiBackend {
 public:
  Result<Json> ServerInfo() override { return Json{{"version", "0.1.0"}}; }
  Result<Json> StopServer(const StopServerRequest& r) override {
    std::lock_guard lock(mu);
    stop = r;
    return Json::object();
  }
  Result<Json> Submit(const SubmitRequest& r) override {
    std::lock_guard lock(mu);
    submit = r;
    if (!submit_error.ok()) return submit_error;
    return submit_answer;
  }
  Result<Json> ListTasks(const TaskQuery& q) override {
    std::lock_guard lock(mu);
    query = q;
    return tasks_answer;
  }
  Result<Json> GetTask(const std::string& ref) override {
    std::lock_guard lock(mu);
    task_ref = ref;
    return task_answer;
  }
  Result<Json> Control(const ControlRequest& r) override {
    std::lock_guard lock(mu);
    control = r;
    if (!control_error.ok()) return control_error;
    Json tasks = Json::array();
    for (const std::string& ref : r.refs) tasks.push_back({{"id", ref}, {"state", "canceled"}});
    return Json{{"tasks", tasks}};
  }
  Result<Json> Wait(const WaitRequest& r) override {
    Json answer;
    {
      std::lock_guard lock(mu);
      wait = r;
      answer = wait_answer;
    }
    if (!answer.value("done", false)) {  // a long poll that sees nothing finish
      std::this_thread::sleep_for(std::chrono::duration<double>(std::min(r.timeout_s, 2.0)));
    }
    return answer;
  }
  Result<Json> Events(const EventsRequest&) override { return Json{{"events", Json::array()}}; }
  // The output grows by one line per request until "done"; the task ends with it.
  Result<LogChunk> ReadLog(const LogRequest& r) override {
    std::lock_guard lock(mu);
    log = r;
    static const std::string kOutput = "hello\nworld\ndone\n";
    ++log_requests;
    const size_t visible = std::min<size_t>(kOutput.size(), log_requests * 6);
    TaskState state = visible == kOutput.size() ? TaskState::kSucceeded : TaskState::kRunning;
    size_t from = std::min<size_t>(r.offset, visible);
    return LogChunk{kOutput.substr(from, visible - from), static_cast<int64_t>(visible), state};
  }
  Result<Json> ListWorkers() override { return workers_answer; }
  Result<Json> ControlWorker(const WorkerControlRequest& r) override {
    return Json{{"worker", {{"id", r.worker}, {"state", "draining"}}}};
  }

  std::mutex mu;
  Status submit_error, control_error;
  Json submit_answer = {{"ids", {"a"}}};
  Json tasks_answer = {{"tasks", Json::array()}, {"counts", Json::object()}};
  Json task_answer = Json::object();
  Json wait_answer = {{"done", true}, {"counts", Json::object()}, {"unsuccessful", Json::array()}};
  Json workers_answer = {{"workers", Json::array()}};
  size_t log_requests = 0;
  std::optional<StopServerRequest> stop;
  std::optional<SubmitRequest> submit;
  std::optional<TaskQuery> query;
  std::optional<std::string> task_ref;
  std::optional<ControlRequest> control;
  std::optional<WaitRequest> wait;
  std::optional<LogRequest> log;
};

struct CommandRun {
  int exit_code = -1;
  std::string out, err;
};

class ClientCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("allot-client-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    Result<int> port = api_.Listen("127.0.0.1", 0);
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    AccessFile access;
    access.http_url = "http://127.0.0.1:" + std::to_string(*port);
    access.token = kToken;
    ASSERT_TRUE(WriteAccessFile(ServerDir(), FilledIn(access)).ok());
  }
  void TearDown() override {
    api_.Stop();
    fs::remove_all(dir_);
  }

  // ReadAccessFile wants every field; the test's server has only HTTP.
  static AccessFile FilledIn(AccessFile access) {
    Result<AccessFile> secrets = NewAccessSecrets();
    EXPECT_TRUE(secrets.ok());
    secrets->http_url = access.http_url;
    secrets->token = access.token;
    secrets->host = "localhost";
    secrets->instance = "test";
    secrets->worker_endpoint = "tcp://127.0.0.1:1";
    return *secrets;
  }

  std::string ServerDir() const { return (dir_ / "server").string(); }

  // $ALLOT_BIN_DIR/allot, else the one beside this test binary.
  static std::string AllotPath() {
    if (const char* dir = std::getenv("ALLOT_BIN_DIR"); dir != nullptr && dir[0] != '\0') {
      return std::string(dir) + "/allot";
    }
    return (fs::read_symlink("/proc/self/exe").parent_path() / "allot").string();
  }

  // Runs `allot ARGS` in the test's directory; `env` is prepended ("NAME=value ").
  CommandRun Allot(const std::string& args, const std::string& env = "") {
    std::string out = (dir_ / "out.txt").string(), err = (dir_ / "err.txt").string();
    std::string command = "cd '" + dir_.string() + "' && env -u ALLOT_SERVER_DIR " + env + " '" + AllotPath() +
                          "' " + args + " >" + out +
                          " 2>" + err;
    int status = std::system(command.c_str());
    CommandRun run;
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.out = Slurp(out);
    run.err = Slurp(err);
    return run;
  }
  // `allot COMMAND --server-dir DIR REST` for args "COMMAND REST" (before any "--").
  CommandRun AllotAt(std::string args) {
    size_t end = args.find(' ');
    args.insert(end == std::string::npos ? args.size() : end, " --server-dir '" + ServerDir() + "'");
    return Allot(args);
  }

  static std::string Slurp(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  static constexpr char kToken[] = "feedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedface";
  fs::path dir_;
  ScriptedBackend backend_;
  HttpApi api_{&backend_, kToken};
};

TEST_F(ClientCommandsTest, SubmitArrayPostsTheDocumentAndPrintsTheIds) {
  backend_.submit_answer = {{"ids", {"sim-1", "sim-2", "sim-3"}}};
  CommandRun run = AllotAt(
      "submit --array 1-3 --name sim --cores 2 --after prep --tag a=1 --after pre2 -- "
      "./sim --seed '{index}'");
  ASSERT_EQ(run.exit_code, kExitOk) << run.err;
  EXPECT_EQ(run.out, "sim-1\nsim-2\nsim-3\n");
  ASSERT_TRUE(backend_.submit);
  EXPECT_EQ(backend_.submit->name, "./sim --seed '{index}'");
  EXPECT_EQ(backend_.submit->base_dir, dir_.string());
  Json task = Json::parse(backend_.submit->text)["tasks"][0];
  EXPECT_EQ(task["id"], "sim-{index}");
  EXPECT_EQ(task["cores"], 2);
  EXPECT_EQ(task["depends_on"], Json({"prep", "pre2"}));
  EXPECT_EQ(task["tags"], Json({{"a", "1"}}));
  EXPECT_EQ(task["sweep"]["grid"]["index"], Json({1, 2, 3}));
}

TEST_F(ClientCommandsTest, SubmitCommandWithoutNameGetsTheProgramsName) {
  CommandRun run = AllotAt("submit -- /bin/echo 'a b'");
  ASSERT_EQ(run.exit_code, kExitOk) << run.err;
  Json task = Json::parse(backend_.submit->text)["tasks"][0];
  EXPECT_THAT(task["id"].get<std::string>(), ::testing::StartsWith("echo-"));
  EXPECT_EQ(task["command"], "/bin/echo 'a b'");
}

TEST_F(ClientCommandsTest, SubmitFileSendsItAsIs) {
  std::ofstream(dir_ / "tasks.yaml") << "tasks:\n  - {id: a, command: ./a}\n";
  CommandRun run = AllotAt("submit tasks.yaml");
  ASSERT_EQ(run.exit_code, kExitOk) << run.err;
  EXPECT_EQ(backend_.submit->name, "tasks.yaml");
  EXPECT_EQ(backend_.submit->text, "tasks:\n  - {id: a, command: ./a}\n");
  EXPECT_EQ(AllotAt("submit --cores 2 tasks.yaml").exit_code, kExitBadInput);
}

TEST_F(ClientCommandsTest, SubmitFileSendsItsDirectoryForItsRelativePaths) {
  std::filesystem::create_directories(dir_ / "campaign");
  std::ofstream(dir_ / "campaign" / "tasks.yaml") << "tasks:\n  - {id: a, command: ./a}\n";
  CommandRun run = AllotAt("submit campaign/tasks.yaml");
  ASSERT_EQ(run.exit_code, kExitOk) << run.err;
  EXPECT_EQ(backend_.submit->base_dir, dir_.string());
  EXPECT_EQ(backend_.submit->file_dir, (dir_ / "campaign").string());
  // A command on the command line has no file: its paths are the submitter's directory's.
  ASSERT_EQ(AllotAt("submit -- ./sim 1").exit_code, kExitOk);
  EXPECT_EQ(backend_.submit->file_dir, "");
}

TEST_F(ClientCommandsTest, RejectedSubmissionPrintsEveryProblemAndExits2) {
  backend_.submit_error =
      Status::InvalidArgument("t.yaml: 2 problems\nt.yaml:1: first\nt.yaml:2: second");
  std::ofstream(dir_ / "t.yaml") << "x";
  CommandRun run = AllotAt("submit t.yaml");
  EXPECT_EQ(run.exit_code, kExitBadInput);
  EXPECT_THAT(run.err, HasSubstr("t.yaml:1: first\nt.yaml:2: second"));
}

// The server's diagnostics cross HTTP and ApiClient as data: printed as before, and written
// as JSON lines with --diagnostics-json.
TEST_F(ClientCommandsTest, RejectedSubmissionWritesItsDiagnosticsAsJson) {
  Diagnostic d{"t.yaml", 4, "a", "depends_on", "unknown task 'z'"};
  backend_.submit_error = Status::InvalidArgument("t.yaml: 1 problem").WithDiagnostics({d});
  std::ofstream(dir_ / "t.yaml") << "x";
  CommandRun plain = AllotAt("submit t.yaml");
  EXPECT_EQ(plain.exit_code, kExitBadInput);
  EXPECT_THAT(plain.err, HasSubstr("allot submit: t.yaml: 1 problem\n"
                                   "t.yaml:4: task 'a': field 'depends_on': unknown task 'z'\n"));

  CommandRun run = AllotAt("submit --diagnostics-json diagnostics.jsonl t.yaml");
  EXPECT_EQ(run.exit_code, kExitBadInput);
  EXPECT_EQ(run.err, plain.err);
  std::ifstream in(dir_ / "diagnostics.jsonl");
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  Json j = Json::parse(line);
  EXPECT_EQ(j["file"], "t.yaml");
  EXPECT_EQ(j["line"], 4);
  EXPECT_EQ(j["column"], nullptr);
  EXPECT_EQ(j["task"], "a");
  EXPECT_EQ(j["field"], "depends_on");
  EXPECT_EQ(j["message"], "unknown task 'z'");
  EXPECT_FALSE(std::getline(in, line));
}

TEST_F(ClientCommandsTest, BadFlagIsRejectedBeforeAnythingIsSent) {
  CommandRun run = AllotAt("submit --cores 0 -- ./sim");
  EXPECT_EQ(run.exit_code, kExitBadInput);
  EXPECT_THAT(run.err, HasSubstr("--cores"));
  EXPECT_FALSE(backend_.submit);
}

TEST_F(ClientCommandsTest, NoServerInTheDirectoryExits2AndUnreachableServerExits3) {
  CommandRun none = Allot("workers --server-dir '" + (dir_ / "nothing").string() + "'");
  EXPECT_EQ(none.exit_code, kExitBadInput);
  EXPECT_THAT(none.err, HasSubstr("no server"));
  api_.Stop();
  CommandRun gone = AllotAt("workers");
  EXPECT_EQ(gone.exit_code, kExitInternal);
  EXPECT_THAT(gone.err, HasSubstr("cannot reach the allot server"));
  EXPECT_THAT(gone.err, HasSubstr("is it running?"));
}

TEST_F(ClientCommandsTest, StatusAsksTheServerWhenItsDirectoryIsInTheEnvironment) {
  backend_.tasks_answer = Json::parse(R"({"counts": {"running": 1, "succeeded": 4},
    "tasks": [{"id": "sim-1", "state": "running", "attempt": 1, "worker": 2, "why": ""}]})");
  CommandRun run = Allot("status", "ALLOT_SERVER_DIR='" + ServerDir() + "'");
  ASSERT_EQ(run.exit_code, kExitOk) << run.err;
  EXPECT_THAT(run.out, HasSubstr("5 tasks: 1 running, 4 succeeded"));
  EXPECT_THAT(run.out, HasSubstr("sim-1"));
  ASSERT_TRUE(backend_.query);
  EXPECT_EQ(backend_.query->limit, 51);
  EXPECT_EQ(backend_.query->states.size(), size_t{kTaskStateCount - 1});
}

TEST_F(ClientCommandsTest, StatusWithWorkdirStillReadsTheJournal) {
  CommandRun run = Allot("status --workdir nowhere", "ALLOT_SERVER_DIR='" + ServerDir() + "'");
  EXPECT_EQ(run.exit_code, kExitBadInput);
  EXPECT_FALSE(backend_.query);
}

TEST_F(ClientCommandsTest, StatusOfOneRefShowsItsAttempts) {
  backend_.task_answer = Json::parse(R"({"id": "sim-1", "state": "running", "attempt": 2,
    "command": "./sim", "attempts": [{"attempt": 1, "state": "lost", "reason": "worker lost"}]})");
  CommandRun run = AllotAt("status sim-1@2");
  ASSERT_EQ(run.exit_code, kExitOk) << run.err;
  EXPECT_EQ(backend_.task_ref, "sim-1@2");
  EXPECT_THAT(run.out, HasSubstr("worker lost"));
}

TEST_F(ClientCommandsTest, WaitExitsByOutcome) {
  CommandRun ok = AllotAt("wait a b");
  EXPECT_EQ(ok.exit_code, kExitOk) << ok.err;
  EXPECT_EQ(backend_.wait->refs, (std::vector<std::string>{"a", "b"}));
  backend_.wait_answer = Json::parse(R"({"done": true, "counts": {"failed": 1},
    "unsuccessful": [{"id": "b", "state": "failed", "reason": "exit code 2"}]})");
  CommandRun failed = AllotAt("wait");
  EXPECT_EQ(failed.exit_code, kExitTasksFailed);
  EXPECT_THAT(failed.out, HasSubstr("exit code 2"));
  backend_.wait_answer = Json::parse(R"({"done": false, "counts": {"running": 3},
    "unsuccessful": []})");
  CommandRun late = AllotAt("wait --timeout 0.3s");
  EXPECT_EQ(late.exit_code, kExitTimedOut);
  EXPECT_THAT(late.err, HasSubstr("timed out"));
}

TEST_F(ClientCommandsTest, WaitWithoutRefsSendsBackWhereItBegan) {
  backend_.wait_answer = Json::parse(R"({"done": false, "counts": {"running": 1},
    "unsuccessful": [], "since": "5.1.4"})");
  CommandRun late = AllotAt("wait --timeout 2.5s");
  EXPECT_EQ(late.exit_code, kExitTimedOut);
  ASSERT_TRUE(backend_.wait->since) << "the later polls carry the first answer's since";
  EXPECT_EQ(*backend_.wait->since, (WaitMark{5, 1, 4}));
  EXPECT_THAT(late.err, HasSubstr("1 running"));
}

TEST_F(ClientCommandsTest, HoldAndReleaseReachTheServerWithTheirRefs) {
  ASSERT_EQ(AllotAt("hold 'sim-L8-*' b").exit_code, kExitOk);
  EXPECT_EQ(backend_.control->action, ControlAction::kHold);
  EXPECT_EQ(backend_.control->refs, (std::vector<std::string>{"sim-L8-*", "b"}));
  ASSERT_EQ(AllotAt("release b").exit_code, kExitOk);
  EXPECT_EQ(backend_.control->action, ControlAction::kRelease);
}

TEST_F(ClientCommandsTest, CancelPrintsNewStatesAndBadRefsExit2) {
  CommandRun run = AllotAt("cancel a b@2");
  ASSERT_EQ(run.exit_code, kExitOk) << run.err;
  EXPECT_EQ(run.out, "a: canceled\nb@2: canceled\n");
  EXPECT_EQ(backend_.control->action, ControlAction::kCancel);
  backend_.control_error = Status::NotFound("no task 'zz'");
  CommandRun bad = AllotAt("pause zz");
  EXPECT_EQ(bad.exit_code, kExitBadInput);
  EXPECT_THAT(bad.err, HasSubstr("no task 'zz'"));
}

TEST_F(ClientCommandsTest, LogFollowPrintsEverythingUntilTheTaskEnds) {
  CommandRun run = AllotAt("log sim-1 --follow --stderr");
  ASSERT_EQ(run.exit_code, kExitOk) << run.err;
  EXPECT_EQ(run.out, "hello\nworld\ndone\n");
  EXPECT_EQ(backend_.log->stream, LogStream::kStderr);
}

TEST_F(ClientCommandsTest, WorkersPrintsATable) {
  backend_.workers_answer = Json::parse(R"({"workers": [{"id": 1, "name": "n1:7:x",
    "host": "n1", "state": "active", "cores": 8, "free_cores": 6, "running": 1}]})");
  CommandRun run = AllotAt("workers");
  ASSERT_EQ(run.exit_code, kExitOk) << run.err;
  EXPECT_THAT(run.out, HasSubstr("n1:7:x"));
  EXPECT_THAT(run.out, HasSubstr("2/8"));
}

TEST_F(ClientCommandsTest, WorkerDrainAndServerStopReachTheServer) {
  CommandRun drain = Allot("worker drain --server-dir '" + ServerDir() + "' node1:7:x");
  ASSERT_EQ(drain.exit_code, kExitOk) << drain.err;
  EXPECT_EQ(drain.out, "worker node1:7:x: draining\n");
  CommandRun stop = Allot("server stop --kill --server-dir '" + ServerDir() + "'");
  ASSERT_EQ(stop.exit_code, kExitOk) << stop.err;
  ASSERT_TRUE(backend_.stop);
  EXPECT_TRUE(backend_.stop->kill);
}

}  // namespace
}  // namespace allot
