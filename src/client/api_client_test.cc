// ApiClient against a stub HTTP server (cpp-httplib) that records what it was asked and
// answers what the test says: requests carry the token and the encoded parameters, and error
// answers come back as the Status their code maps to.
#include "client/api_client.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "protocol/access_file.h"

namespace allot {
namespace {

using Json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

class StubServer {
 public:
  StubServer() {
    server_.Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
      Handle(req, res);
    });
    server_.Post(".*", [this](const httplib::Request& req, httplib::Response& res) {
      Handle(req, res);
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~StubServer() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // What the next requests get.
  void Answer(int status, std::string body, httplib::Headers headers = {}) {
    std::lock_guard lock(mu_);
    status_ = status;
    body_ = std::move(body);
    headers_ = std::move(headers);
  }
  httplib::Request last() {
    std::lock_guard lock(mu_);
    return last_;
  }

 private:
  void Handle(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu_);
    last_ = req;
    res.status = status_;
    for (const auto& [k, v] : headers_) res.set_header(k, v);
    res.set_content(body_, status_ == 200 && !headers_.empty() ? "text/plain" : "application/json");
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  int status_ = 200;
  std::string body_ = "{}";
  httplib::Headers headers_;
  httplib::Request last_;
};

class ApiClientTest : public ::testing::Test {
 protected:
  StubServer stub_;
  ApiClient client_{stub_.url(), "secret-token", "/srv/access.json"};
};

TEST_F(ApiClientTest, SendsTheBearerTokenAndReturnsTheJsonAnswer) {
  stub_.Answer(200, R"({"version": "0.1.0", "workers": 2})");
  auto info = client_.ServerInfo();
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ((*info)["workers"], 2);
  EXPECT_EQ(stub_.last().get_header_value("Authorization"), "Bearer secret-token");
  EXPECT_EQ(stub_.last().path, "/api/v1/server");
}

TEST_F(ApiClientTest, SubmitAndControlPostTheirBodies) {
  ASSERT_TRUE(client_.Submit("t.yaml", "tasks: []", "/home/u").ok());
  EXPECT_EQ(stub_.last().method, "POST");
  EXPECT_EQ(stub_.last().path, "/api/v1/submit");
  EXPECT_EQ(Json::parse(stub_.last().body),
            Json({{"name", "t.yaml"}, {"text", "tasks: []"}, {"base_dir", "/home/u"}}));
  ASSERT_TRUE(client_.Control("pause", {"a@1", "b"}).ok());
  EXPECT_EQ(Json::parse(stub_.last().body), Json({{"action", "pause"}, {"refs", {"a@1", "b"}}}));
  ASSERT_TRUE(client_.StopServer(true).ok());
  EXPECT_EQ(Json::parse(stub_.last().body), Json({{"kill", true}}));
}

TEST_F(ApiClientTest, QueryParametersAndPathRefsAreEncoded) {
  ASSERT_TRUE(client_.Tasks({"a b", "c@2"}, {"running", "ready"}, 5).ok());
  httplib::Request req = stub_.last();
  EXPECT_EQ(req.path, "/api/v1/tasks");
  EXPECT_EQ(req.get_param_value("refs"), "a b,c@2");
  EXPECT_EQ(req.get_param_value("states"), "running,ready");
  EXPECT_EQ(req.get_param_value("limit"), "5");
  ASSERT_TRUE(client_.Tasks({}, {}, 0).ok());
  EXPECT_TRUE(stub_.last().params.empty());
  ASSERT_TRUE(client_.Task("sim-3@2").ok());
  EXPECT_EQ(stub_.last().path, "/api/v1/tasks/sim-3@2");
  EXPECT_EQ(stub_.last().target, "/api/v1/tasks/sim-3%402");
  ASSERT_TRUE(client_.Wait({"x"}, 2.5).ok());
  EXPECT_EQ(stub_.last().get_param_value("timeout_s"), "2.5");
  ASSERT_TRUE(client_.Events(41, 30, 100).ok());
  EXPECT_EQ(stub_.last().get_param_value("after"), "41");
  EXPECT_EQ(stub_.last().get_param_value("limit"), "100");
  ASSERT_TRUE(client_.ControlWorker("node1:42:ab", "drain").ok());
  EXPECT_EQ(stub_.last().path, "/api/v1/workers/node1:42:ab/drain");
}

TEST_F(ApiClientTest, LogReturnsTheBytesNextOffsetAndState) {
  stub_.Answer(200, "line 1\n", {{"X-Allot-Next-Offset", "107"}, {"X-Allot-Task-State", "running"}});
  auto chunk = client_.Log("sim-1", "stderr", 100);
  ASSERT_TRUE(chunk.ok()) << chunk.status().ToString();
  EXPECT_EQ(chunk->bytes, "line 1\n");
  EXPECT_EQ(chunk->next_offset, 107);
  EXPECT_EQ(chunk->state, "running");
  EXPECT_EQ(stub_.last().get_param_value("stream"), "stderr");
  EXPECT_EQ(stub_.last().get_param_value("offset"), "100");
}

TEST_F(ApiClientTest, HttpErrorsComeBackAsTheirStatusWithTheServersMessage) {
  const std::vector<std::pair<int, StatusCode>> cases = {
      {400, StatusCode::kInvalidArgument}, {404, StatusCode::kNotFound},
      {409, StatusCode::kFailedPrecondition}, {503, StatusCode::kUnavailable},
      {500, StatusCode::kInternal}, {418, StatusCode::kInternal}};
  for (const auto& [http, code] : cases) {
    stub_.Answer(http, R"({"error": "no task 'x'"})");
    auto answer = client_.Task("x");
    EXPECT_EQ(answer.status().code(), code) << http;
    EXPECT_EQ(answer.status().message(), "no task 'x'") << http;
  }
}

TEST_F(ApiClientTest, ProblemsFollowTheErrorOnePerLine) {
  stub_.Answer(400, R"({"error": "t.yaml: 2 problems", "problems": ["t.yaml:1: a", "t.yaml:2: b"]})");
  auto answer = client_.Submit("t.yaml", "", "/");
  EXPECT_EQ(answer.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(answer.status().message(), "t.yaml: 2 problems\nt.yaml:1: a\nt.yaml:2: b");
}

TEST_F(ApiClientTest, DiagnosticsComeBackIntoTheStatus) {
  stub_.Answer(400, R"({"error": "t.yaml: 1 problem",
    "problems": ["t.yaml:4: task 'a': field 'depends_on': unknown task 'z'"],
    "diagnostics": [{"file": "t.yaml", "line": 4, "column": null, "task": "a",
                     "field": "depends_on", "message": "unknown task 'z'",
                     "text": "t.yaml:4: task 'a': field 'depends_on': unknown task 'z'"}]})");
  auto answer = client_.Submit("t.yaml", "", "/");
  EXPECT_EQ(answer.status().code(), StatusCode::kInvalidArgument);
  // Printed as before; the place as data beside it.
  EXPECT_EQ(answer.status().message(),
            "t.yaml: 1 problem\nt.yaml:4: task 'a': field 'depends_on': unknown task 'z'");
  ASSERT_EQ(answer.status().diagnostics().size(), 1u);
  EXPECT_EQ(answer.status().diagnostics()[0],
            (Diagnostic{"t.yaml", 4, "a", "depends_on", "unknown task 'z'"}));
}

TEST_F(ApiClientTest, RejectedTokenNamesTheAccessFile) {
  stub_.Answer(401, R"({"error": "missing or wrong bearer token"})");
  auto answer = client_.Workers();
  EXPECT_EQ(answer.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(answer.status().message(), HasSubstr("/srv/access.json"));
}

TEST_F(ApiClientTest, AnswerThatIsNotJsonIsInternal) {
  stub_.Answer(200, "<html>");
  EXPECT_EQ(client_.Workers().status().code(), StatusCode::kInternal);
  stub_.Answer(502, "<html>bad gateway</html>");
  auto answer = client_.Workers();
  EXPECT_EQ(answer.status().code(), StatusCode::kInternal);
  EXPECT_THAT(answer.status().message(), HasSubstr("HTTP 502"));
}

TEST(ApiClientConnectTest, NoServerThereIsUnavailableNamingUrlAndAccessFile) {
  std::string url;
  {
    StubServer gone;  // a port that was just free
    url = gone.url();
  }
  ApiClient client(url, "t", "/srv/access.json");
  auto answer = client.ServerInfo();
  EXPECT_EQ(answer.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(answer.status().message(), "cannot reach the allot server at " + url +
                                           " (access file /srv/access.json); is it running?");
}

// Accepts connections on 127.0.0.1 and ends each once the request is in, without an answer:
// with a reset (SO_LINGER 0) or a plain close.
class HangUpServer {
 public:
  explicit HangUpServer(bool reset) : reset_(reset) {
    listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr = {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    EXPECT_EQ(bind(listener_, reinterpret_cast<sockaddr*>(&addr), len), 0);
    EXPECT_EQ(listen(listener_, 4), 0);
    EXPECT_EQ(getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~HangUpServer() {
    shutdown(listener_, SHUT_RDWR);  // ends the accept
    thread_.join();
    close(listener_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  void Serve() {
    for (;;) {
      int fd = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      std::string request;
      char buf[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n <= 0) break;
        request.append(buf, static_cast<size_t>(n));
      }
      if (reset_) {
        linger off = {1, 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &off, sizeof(off));
      }
      close(fd);
    }
  }

  bool reset_;
  int listener_ = -1;
  int port_ = 0;
  std::thread thread_;
};

// Issue 8.12: an immediate reset was reported as "did not answer within 60 s".
TEST(ApiClientConnectTest, ConnectionResetOrClosedIsNotReportedAsATimeout) {
  for (bool reset : {true, false}) {
    HangUpServer server(reset);
    ApiClient client(server.url(), "t", "/srv/access.json");
    auto answer = client.Workers();
    EXPECT_EQ(answer.status().code(), StatusCode::kUnavailable);
    EXPECT_THAT(answer.status().message(),
                HasSubstr("at " + server.url() + " reset or closed the connection before "
                          "answering GET /api/v1/workers"))
        << "reset: " << reset;
    EXPECT_THAT(answer.status().message(), Not(HasSubstr("did not answer")));
  }
}

TEST(ApiClientConnectTest, DirectoryWithoutAccessFileIsNotFound) {
  std::string dir = ::testing::TempDir() + "/no-server-here";
  std::filesystem::create_directories(dir);
  auto client = ApiClient::Connect(dir);
  EXPECT_EQ(client.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(client.status().message(), HasSubstr(dir));
}

TEST(ApiClientConnectTest, ConnectUsesTheUrlAndTokenOfTheAccessFile) {
  StubServer stub;
  std::string dir = ::testing::TempDir() + "/server-dir-" + std::to_string(getpid());
  auto access = NewAccessSecrets();
  ASSERT_TRUE(access.ok()) << access.status().ToString();
  access->http_url = stub.url();
  access->worker_endpoint = "tcp://127.0.0.1:1";
  access->host = "localhost";
  access->instance = "i";
  ASSERT_TRUE(WriteAccessFile(dir, *access).ok());
  auto client = ApiClient::Connect(dir);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  EXPECT_EQ(client->url(), stub.url());
  ASSERT_TRUE(client->Workers().ok());
  EXPECT_EQ(stub.last().get_header_value("Authorization"), "Bearer " + access->token);
  std::filesystem::remove_all(dir);
}

TEST(EncodePathSegmentTest, OnlyUnreservedCharactersStayAsTheyAre) {
  EXPECT_EQ(EncodePathSegment("sim-1.a_b~"), "sim-1.a_b~");
  EXPECT_EQ(EncodePathSegment("a@2"), "a%402");
  EXPECT_EQ(EncodePathSegment("x/y ?#%"), "x%2Fy%20%3F%23%25");
}

}  // namespace
}  // namespace allot
