// HttpApi over a real socket on 127.0.0.1 with a real httplib::Client: authentication,
// routing to the right backend method with the parsed values, error mapping, and 400s for
// malformed input that never reach the backend.
#include "server/http_api.h"

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace allot {
namespace {

using Json = nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kToken[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

// Records the last call and answers with `answer` (or `error` when set).
class RecordingBackend : public ApiBackend {
 public:
  Result<Json> ServerInfo() override { return Answer("ServerInfo"); }
  Result<Json> StopServer(const StopServerRequest& r) override {
    stop = r;
    return Answer("StopServer");
  }
  Result<Json> Submit(const SubmitRequest& r) override {
    submit = r;
    return Answer("Submit");
  }
  Result<Json> ListTasks(const TaskQuery& q) override {
    query = q;
    return Answer("ListTasks");
  }
  Result<Json> GetTask(const std::string& ref) override {
    task_ref = ref;
    return Answer("GetTask");
  }
  Result<Json> Control(const ControlRequest& r) override {
    control = r;
    return Answer("Control");
  }
  Result<Json> Wait(const WaitRequest& r) override {
    wait = r;
    return Answer("Wait");
  }
  Result<Json> Events(const EventsRequest& r) override {
    events = r;
    return Answer("Events");
  }
  Result<LogChunk> ReadLog(const LogRequest& r) override {
    log = r;
    Record("ReadLog");
    if (!error.ok()) return error;
    return LogChunk{"hello\n", r.offset + 6, TaskState::kRunning};
  }
  Result<Json> ListWorkers() override { return Answer("ListWorkers"); }
  Result<Json> ControlWorker(const WorkerControlRequest& r) override {
    worker = r;
    return Answer("ControlWorker");
  }

  std::vector<std::string> Calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

  Status error;
  Json answer = {{"ok", true}};
  std::optional<StopServerRequest> stop;
  std::optional<SubmitRequest> submit;
  std::optional<TaskQuery> query;
  std::optional<std::string> task_ref;
  std::optional<ControlRequest> control;
  std::optional<WaitRequest> wait;
  std::optional<EventsRequest> events;
  std::optional<LogRequest> log;
  std::optional<WorkerControlRequest> worker;

 private:
  void Record(const char* name) {
    std::lock_guard lock(mu_);
    calls_.push_back(name);
  }
  Result<Json> Answer(const char* name) {
    Record(name);
    if (!error.ok()) return error;
    return answer;
  }

  std::mutex mu_;
  std::vector<std::string> calls_;
};

class HttpApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<int> port = api_.Listen("127.0.0.1", 0);
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    port_ = *port;
  }

  httplib::Client NewClient(const std::string& token = kToken) {
    httplib::Client client("127.0.0.1", port_);
    if (!token.empty()) client.set_bearer_token_auth(token);
    client.set_read_timeout(60);
    return client;
  }

  // GET `path` with the right token; fails the test on a transport error.
  httplib::Response Get(const std::string& path) {
    httplib::Client client = NewClient();
    auto res = client.Get(path);
    EXPECT_TRUE(res) << httplib::to_string(res.error());
    return res ? *res : httplib::Response{};
  }

  httplib::Response Post(const std::string& path, const std::string& body) {
    httplib::Client client = NewClient();
    auto res = client.Post(path, body, "application/json");
    EXPECT_TRUE(res) << httplib::to_string(res.error());
    return res ? *res : httplib::Response{};
  }

  static Json Body(const httplib::Response& res) { return Json::parse(res.body); }

  RecordingBackend backend_;
  HttpApi api_{&backend_, kToken};
  int port_ = 0;
};

TEST_F(HttpApiTest, RequestWithoutTokenIs401AndNeverReachesTheBackend) {
  httplib::Client client = NewClient("");
  auto res = client.Get("/api/v1/server");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_TRUE(Body(*res).contains("error"));
  auto post = client.Post("/api/v1/submit", R"({"name":"a","text":"[]","base_dir":"/"})",
                          "application/json");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 401);
  EXPECT_TRUE(backend_.Calls().empty());
}

TEST_F(HttpApiTest, WrongTokenIs401EvenForUnknownPaths) {
  for (const std::string& token : {std::string(kToken).substr(1) + "0", std::string("short"),
                                  std::string(kToken) + "0"}) {
    httplib::Client client = NewClient(token);
    auto res = client.Get("/api/v1/tasks");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401) << token;
    auto unknown = client.Get("/nowhere");
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->status, 401);
  }
  httplib::Client basic("127.0.0.1", port_);
  basic.set_basic_auth("user", kToken);
  auto res = basic.Get("/api/v1/server");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_TRUE(backend_.Calls().empty());
}

TEST_F(HttpApiTest, ServerInfoAnswersTheBackendsJson) {
  backend_.answer = {{"version", "0.1.0"}, {"workers", 3}};
  httplib::Response res = Get("/api/v1/server");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(Body(res), backend_.answer);
  EXPECT_THAT(backend_.Calls(), ElementsAre("ServerInfo"));
}

TEST_F(HttpApiTest, StopServerParsesKillAndAcceptsAnEmptyBody) {
  EXPECT_EQ(Post("/api/v1/server/stop", R"({"kill": true})").status, 200);
  ASSERT_TRUE(backend_.stop);
  EXPECT_TRUE(backend_.stop->kill);
  EXPECT_EQ(Post("/api/v1/server/stop", "").status, 200);
  EXPECT_FALSE(backend_.stop->kill);
  EXPECT_THAT(backend_.Calls(), ElementsAre("StopServer", "StopServer"));
}

TEST_F(HttpApiTest, SubmitPassesNameTextAndBaseDir) {
  Json body = {{"name", "tasks.yaml"}, {"text", "tasks: []\n"}, {"base_dir", "/home/u"}};
  EXPECT_EQ(Post("/api/v1/submit", body.dump()).status, 200);
  ASSERT_TRUE(backend_.submit);
  EXPECT_EQ(backend_.submit->name, "tasks.yaml");
  EXPECT_EQ(backend_.submit->text, "tasks: []\n");
  EXPECT_EQ(backend_.submit->base_dir, "/home/u");
  EXPECT_EQ(backend_.submit->file_dir, "");  // absent: the file's paths resolve against base_dir
  body["file_dir"] = "/home/u/campaign";
  EXPECT_EQ(Post("/api/v1/submit", body.dump()).status, 200);
  EXPECT_EQ(backend_.submit->file_dir, "/home/u/campaign");
}

TEST_F(HttpApiTest, ListTasksSplitsRefsAndStatesAndReadsLimit) {
  EXPECT_EQ(Get("/api/v1/tasks?refs=a,b%402&states=running,ready&limit=7").status, 200);
  ASSERT_TRUE(backend_.query);
  EXPECT_THAT(backend_.query->refs, ElementsAre("a", "b@2"));
  EXPECT_THAT(backend_.query->states, ElementsAre(TaskState::kRunning, TaskState::kReady));
  EXPECT_EQ(backend_.query->limit, 7);
  EXPECT_EQ(Get("/api/v1/tasks").status, 200);
  EXPECT_TRUE(backend_.query->refs.empty());
  EXPECT_EQ(backend_.query->limit, 0);
}

TEST_F(HttpApiTest, GetTaskDecodesTheRefInThePath) {
  EXPECT_EQ(Get("/api/v1/tasks/sim-3%402").status, 200);
  EXPECT_EQ(backend_.task_ref, "sim-3@2");
  EXPECT_EQ(Get("/api/v1/tasks/sim-3@1").status, 200);
  EXPECT_EQ(backend_.task_ref, "sim-3@1");
}

TEST_F(HttpApiTest, ControlPassesActionAndRefs) {
  EXPECT_EQ(Post("/api/v1/control", R"({"action": "pause", "refs": ["a@1", "b"]})").status, 200);
  ASSERT_TRUE(backend_.control);
  EXPECT_EQ(backend_.control->action, ControlAction::kPause);
  EXPECT_THAT(backend_.control->refs, ElementsAre("a@1", "b"));
}

TEST_F(HttpApiTest, WaitPassesRefsAndTimeout) {
  EXPECT_EQ(Get("/api/v1/wait?refs=x,y&timeout_s=2.5").status, 200);
  ASSERT_TRUE(backend_.wait);
  EXPECT_THAT(backend_.wait->refs, ElementsAre("x", "y"));
  EXPECT_DOUBLE_EQ(backend_.wait->timeout_s, 2.5);
  EXPECT_EQ(Get("/api/v1/wait").status, 200);
  EXPECT_TRUE(backend_.wait->refs.empty());
  EXPECT_DOUBLE_EQ(backend_.wait->timeout_s, WaitRequest::kDefaultTimeoutS);
  EXPECT_FALSE(backend_.wait->since);
  EXPECT_EQ(Get("/api/v1/wait?since=120.3.97").status, 200);
  ASSERT_TRUE(backend_.wait->since);
  EXPECT_EQ(*backend_.wait->since, (WaitMark{120, 3, 97}));
  EXPECT_EQ(FormatWaitMark(*backend_.wait->since), "120.3.97");
}

TEST_F(HttpApiTest, EventsPassesAfterTimeoutAndLimit) {
  EXPECT_EQ(Get("/api/v1/events?after=41&timeout_s=0&limit=5").status, 200);
  ASSERT_TRUE(backend_.events);
  EXPECT_EQ(backend_.events->after, 41);
  EXPECT_DOUBLE_EQ(backend_.events->timeout_s, 0);
  EXPECT_EQ(backend_.events->limit, 5);
}

TEST_F(HttpApiTest, LogAnswersTextWithOffsetAndStateHeaders) {
  httplib::Response res = Get("/api/v1/log/sim-1%401?stream=stderr&offset=10");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "hello\n");
  EXPECT_EQ(res.get_header_value("Content-Type"), "text/plain");
  EXPECT_EQ(res.get_header_value("X-Allot-Next-Offset"), "16");
  EXPECT_EQ(res.get_header_value("X-Allot-Task-State"), "running");
  ASSERT_TRUE(backend_.log);
  EXPECT_EQ(backend_.log->ref, "sim-1@1");
  EXPECT_EQ(backend_.log->stream, LogStream::kStderr);
  EXPECT_EQ(backend_.log->offset, 10);
}

TEST_F(HttpApiTest, WorkersAndWorkerControlReachTheirMethods) {
  EXPECT_EQ(Get("/api/v1/workers").status, 200);
  EXPECT_EQ(Post("/api/v1/workers/7/drain", "").status, 200);
  ASSERT_TRUE(backend_.worker);
  EXPECT_EQ(backend_.worker->worker, "7");
  EXPECT_EQ(backend_.worker->action, WorkerAction::kDrain);
  EXPECT_EQ(Post("/api/v1/workers/node1:42:ab/stop", "").status, 200);
  EXPECT_EQ(backend_.worker->worker, "node1:42:ab");
  EXPECT_EQ(backend_.worker->action, WorkerAction::kStop);
  EXPECT_THAT(backend_.Calls(), ElementsAre("ListWorkers", "ControlWorker", "ControlWorker"));
}

TEST_F(HttpApiTest, BackendErrorsMapToHttpStatusCodes) {
  const std::vector<std::pair<Status, int>> cases = {
      {Status::InvalidArgument("bad"), 400},       {Status::NotFound("no task 'x'"), 404},
      {Status::FailedPrecondition("done"), 409},   {Status::AlreadyExists("dup"), 409},
      {Status::Unavailable("busy"), 503},          {Status::Internal("bug"), 500},
      {Status::IoError("disk"), 500},
  };
  for (const auto& [status, code] : cases) {
    backend_.error = status;
    httplib::Response res = Get("/api/v1/tasks/x");
    EXPECT_EQ(res.status, code) << status.ToString();
    EXPECT_EQ(Body(res), Json({{"error", status.message()}}));
    EXPECT_EQ(Get("/api/v1/log/x").status, code);
  }
}

TEST_F(HttpApiTest, MultiLineErrorBecomesErrorAndProblems) {
  backend_.error = Status::InvalidArgument(
      "tasks.yaml: 2 problems\ntasks.yaml:3: task 'a': field 'coers': unknown field\n"
      "tasks.yaml:9: task 'b': depends_on: unknown task 'z'");
  httplib::Response res = Post("/api/v1/submit", R"({"name":"tasks.yaml","text":"","base_dir":"/"})");
  EXPECT_EQ(res.status, 400);
  Json body = Body(res);
  EXPECT_EQ(body["error"], "tasks.yaml: 2 problems");
  EXPECT_EQ(body["problems"], Json({"tasks.yaml:3: task 'a': field 'coers': unknown field",
                                    "tasks.yaml:9: task 'b': depends_on: unknown task 'z'"}));
}

// Clients get the place of each problem as data (no parsing "file:line: ..." back), and old
// clients still get the lines.
TEST_F(HttpApiTest, DiagnosticsBecomeObjectsBesideTheirLines) {
  Diagnostic unknown{"tasks.yaml", 9, "b", "depends_on", "unknown task 'z'"};
  Diagnostic syntax{"tasks.yaml", 3, "", "", "YAML syntax error at column 7: bad"};
  syntax.column = 7;
  backend_.error =
      Status::InvalidArgument("tasks.yaml: 2 problems").WithDiagnostics({syntax, unknown});
  httplib::Response res =
      Post("/api/v1/submit", R"({"name":"tasks.yaml","text":"","base_dir":"/"})");
  EXPECT_EQ(res.status, 400);
  Json body = Body(res);
  EXPECT_EQ(body["error"], "tasks.yaml: 2 problems");
  EXPECT_EQ(body["problems"],
            Json({"tasks.yaml:3: YAML syntax error at column 7: bad",
                  "tasks.yaml:9: task 'b': field 'depends_on': unknown task 'z'"}));
  ASSERT_EQ(body["diagnostics"].size(), 2u);
  const Json& d = body["diagnostics"][1];
  EXPECT_EQ(d["file"], "tasks.yaml");
  EXPECT_EQ(d["line"], 9);
  EXPECT_EQ(d["column"], nullptr);
  EXPECT_EQ(d["task"], "b");
  EXPECT_EQ(d["field"], "depends_on");
  EXPECT_EQ(d["message"], "unknown task 'z'");
  EXPECT_EQ(body["diagnostics"][0]["column"], 7);
}

// Each malformed request must name what is wrong and never reach the backend.
TEST_F(HttpApiTest, MalformedInputIs400NamingTheParameter) {
  struct Case {
    std::string method, path, body, named;
  };
  const std::vector<Case> cases = {
      {"POST", "/api/v1/submit", "{not json", "body: malformed JSON"},
      {"POST", "/api/v1/submit", "[1]", "body: expected a JSON object"},
      {"POST", "/api/v1/submit", R"({"name":"a","base_dir":"/"})", "'text': missing"},
      {"POST", "/api/v1/submit", R"({"name":3,"text":"","base_dir":"/"})", "'name'"},
      {"POST", "/api/v1/submit", R"({"name":"a","text":"","base_dir":"rel"})", "'base_dir'"},
      {"POST", "/api/v1/submit", R"({"name":"a","text":"","base_dir":"/","file_dir":"rel"})",
       "'file_dir'"},
      {"POST", "/api/v1/submit", R"({"name":"a","text":"","base_dir":"/","x":1})", "'x'"},
      {"POST", "/api/v1/control", R"({"action":"frob","refs":["a"]})", "'action'"},
      {"POST", "/api/v1/control", R"({"action":"cancel","refs":[]})", "'refs'"},
      {"POST", "/api/v1/control", R"({"action":"cancel","refs":[1]})", "'refs'"},
      {"POST", "/api/v1/control", R"({"action":"cancel"})", "'refs': missing"},
      {"POST", "/api/v1/server/stop", R"({"kill":"yes"})", "'kill'"},
      {"POST", "/api/v1/workers/3/explode", "", "worker action 'explode'"},
      {"GET", "/api/v1/tasks?limit=ten", "", "'limit'"},
      {"GET", "/api/v1/tasks?limit=-1", "", "'limit'"},
      {"GET", "/api/v1/tasks?states=runing", "", "'states': unknown state 'runing'"},
      {"GET", "/api/v1/tasks?colour=red", "", "'colour'"},
      {"GET", "/api/v1/wait?timeout_s=soon", "", "'timeout_s'"},
      {"GET", "/api/v1/wait?timeout_s=-1", "", "'timeout_s'"},
      {"GET", "/api/v1/wait?timeout_s=nan", "", "'timeout_s'"},
      {"GET", "/api/v1/wait?since=1.2", "", "'since'"},
      {"GET", "/api/v1/wait?since=1.2.3.4", "", "'since'"},
      {"GET", "/api/v1/wait?since=a.b.c", "", "'since'"},
      {"GET", "/api/v1/events?after=1x", "", "'after'"},
      {"GET", "/api/v1/events?limit=0", "", "'limit'"},
      {"GET", "/api/v1/log/a?stream=stdin", "", "'stream'"},
      {"GET", "/api/v1/log/a?offset=1.5", "", "'offset'"},
      {"GET", "/api/v1/server?verbose=1", "", "'verbose'"},
  };
  for (const Case& c : cases) {
    httplib::Response res = c.method == "GET" ? Get(c.path) : Post(c.path, c.body);
    EXPECT_EQ(res.status, 400) << c.method << " " << c.path << " " << c.body;
    EXPECT_THAT(Body(res).value("error", ""), HasSubstr(c.named)) << c.path << " " << c.body;
  }
  EXPECT_TRUE(backend_.Calls().empty());
}

TEST_F(HttpApiTest, UnknownEndpointIs404Json) {
  httplib::Response res = Get("/api/v1/nothing");
  EXPECT_EQ(res.status, 404);
  EXPECT_THAT(Body(res)["error"].get<std::string>(), HasSubstr("/api/v1/nothing"));
  EXPECT_EQ(Get("/api/v1/submit").status, 404);  // submit is POST only
  EXPECT_TRUE(backend_.Calls().empty());
}

// Long polls must not starve each other: kPolls waits are all inside the backend at once.
class BlockingBackend : public RecordingBackend {
 public:
  Result<Json> Wait(const WaitRequest& r) override {
    std::unique_lock lock(mu_);
    ++inside_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return released_; });
    return Json{{"done", true}};
  }
  // Returns true once `n` calls are blocked inside Wait at the same time.
  bool AwaitInside(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(30), [&] { return inside_ >= n; });
  }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int inside_ = 0;
  bool released_ = false;
};

TEST(HttpApiConcurrencyTest, SeveralLongPollsAreServedAtOnce) {
  constexpr int kPolls = 8;
  BlockingBackend backend;
  HttpApi api(&backend, kToken);
  Result<int> port = api.Listen("127.0.0.1", 0);
  ASSERT_TRUE(port.ok());
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kPolls; ++i) {
    threads.emplace_back([&] {
      httplib::Client client("127.0.0.1", *port);
      client.set_bearer_token_auth(kToken);
      client.set_read_timeout(60);
      auto res = client.Get("/api/v1/wait?timeout_s=30");
      if (res && res->status == 200) ++ok;
    });
  }
  bool all_inside = backend.AwaitInside(kPolls);
  // A short request still gets through while every long poll is held.
  httplib::Client client("127.0.0.1", *port);
  client.set_bearer_token_auth(kToken);
  auto info = client.Get("/api/v1/server");
  backend.Release();
  for (std::thread& t : threads) t.join();
  EXPECT_TRUE(all_inside);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->status, 200);
  EXPECT_EQ(ok.load(), kPolls);
}

TEST(HttpApiLifecycleTest, StopIsIdempotentAndListenReportsABusyPort) {
  RecordingBackend backend;
  HttpApi first(&backend, kToken);
  first.Stop();  // never listened
  Result<int> port = first.Listen("127.0.0.1", 0);
  ASSERT_TRUE(port.ok());
  HttpApi second(&backend, kToken);
  Result<int> busy = second.Listen("127.0.0.1", *port);
  EXPECT_EQ(busy.status().code(), StatusCode::kIoError);
  EXPECT_THAT(busy.status().message(), HasSubstr(std::to_string(*port)));
  first.Stop();
  first.Stop();
  httplib::Client client("127.0.0.1", *port);
  EXPECT_FALSE(client.Get("/api/v1/server"));
}

}  // namespace
}  // namespace allot
