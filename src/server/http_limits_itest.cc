// HttpApi against slow and hostile clients over real sockets: what a client without the token
// can hold (a header deadline, connections not yet authenticated), what it can make the
// server read (no body before the token and the size are checked), and that an authorised
// client gets through meanwhile. The raw clients here speak HTTP/1.1 by hand, because
// httplib's client cannot send a header a byte at a time or stop before the body.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/http_api.h"

namespace allot {
namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kToken[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
// Generous: these are bounds on a loaded 2-core machine, not measurements.
constexpr auto kGenerous = std::chrono::seconds(30);

// Answers every call with {"ok": true} and counts the calls.
class CountingBackend : public ApiBackend {
 public:
  Result<Json> ServerInfo() override { return Count(); }
  Result<Json> StopServer(const StopServerRequest&) override { return Count(); }
  Result<Json> Submit(const SubmitRequest& r) override {
    std::lock_guard lock(mu_);
    submitted_text_ = r.text;
    return Count();
  }
  Result<Json> ListTasks(const TaskQuery&) override { return Count(); }
  Result<Json> GetTask(const std::string&) override { return Count(); }
  Result<Json> Control(const ControlRequest&) override { return Count(); }
  Result<Json> Wait(const WaitRequest&) override { return Count(); }
  Result<Json> Events(const EventsRequest&) override { return Count(); }
  Result<LogChunk> ReadLog(const LogRequest&) override { return Status::NotFound("no log"); }
  Result<Json> ListWorkers() override { return Count(); }
  Result<Json> ControlWorker(const WorkerControlRequest&) override { return Count(); }

  int calls() const { return calls_.load(); }
  std::string submitted_text() {
    std::lock_guard lock(mu_);
    return submitted_text_;
  }

 private:
  Result<Json> Count() {
    ++calls_;
    return Json{{"ok", true}};
  }
  std::atomic<int> calls_{0};
  std::mutex mu_;
  std::string submitted_text_;
};

int ConnectTo(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    if (fd >= 0) close(fd);
    return -1;
  }
  return fd;
}

struct RawResponse {
  std::string head;  // status line and headers
  std::string body;
};

// One hand-driven HTTP connection to 127.0.0.1:port.
class RawConnection {
 public:
  explicit RawConnection(int port) : fd_(ConnectTo(port)) {}
  ~RawConnection() {
    if (fd_ >= 0) close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }

  // False when the server has closed or reset the connection.
  bool Send(const std::string& bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }

  // The next response (head, and a body of its Content-Length), or nullopt when the
  // connection ends first or `within` passes.
  std::optional<RawResponse> ReadResponse(Clock::duration within) {
    const Clock::time_point deadline = Clock::now() + within;
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(deadline)) return std::nullopt;
    }
    RawResponse r;
    r.head = buffer_.substr(0, end + 2);
    buffer_.erase(0, end + 4);
    size_t length = 0;
    std::string lower = r.head;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (size_t at = lower.find("\r\ncontent-length:"); at != std::string::npos) {
      length = std::stoul(r.head.substr(at + 17));
    }
    while (buffer_.size() < length) {
      if (!Fill(deadline)) return std::nullopt;
    }
    r.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return r;
  }

  // True when the server closes (or resets) the connection within `within` without sending
  // anything more.
  bool AwaitClosedSilently(Clock::duration within) {
    const Clock::time_point deadline = Clock::now() + within;
    while (Clock::now() < deadline) {
      size_t before = buffer_.size();
      if (!Fill(deadline)) return buffer_.empty() && closed_;
      if (buffer_.size() > before) return false;
    }
    return false;
  }

  // Readable now: data, end of stream or reset.
  bool Readable() const {
    pollfd p = {fd_, POLLIN, 0};
    return poll(&p, 1, 0) > 0;
  }

 private:
  // Reads what is there, waiting until `deadline`; false at the end of the stream, on a reset
  // or when the deadline passes.
  bool Fill(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p = {fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[4096];
    ssize_t n = recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    buffer_.append(buf, static_cast<size_t>(n));
    return true;
  }

  int fd_;
  std::string buffer_;
  bool closed_ = false;
};

// `count` connections that send a request line and then an endless header, one byte per
// second each: the classic slow client. Stopped (and its sockets closed) by the destructor.
class SlowClients {
 public:
  SlowClients(int port, int count) {
    for (int i = 0; i < count; ++i) fds_.push_back(ConnectTo(port));
    thread_ = std::thread([this] { Run(); });
  }
  ~SlowClients() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
    for (int fd : fds_) {
      if (fd >= 0) close(fd);
    }
  }

  // Waits until every connection has had `rounds` bytes sent (or was closed by the server).
  bool AwaitRounds(int rounds) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kGenerous, [&] { return rounds_ >= rounds; });
  }
  // Waits until the server has closed `n` of the connections; false after `within`.
  bool AwaitClosed(size_t n, Clock::duration within) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, within, [&] { return closed_ >= n; });
  }
  size_t answered() {
    std::lock_guard lock(mu_);
    return answered_;
  }

 private:
  void Run() {
    const std::string prefix = "GET /api/v1/server HTTP/1.1\r\nHost: slow\r\nX-Slow: ";
    std::vector<size_t> sent(fds_.size(), 0);
    std::vector<bool> done(fds_.size(), false);
    std::unique_lock lock(mu_);
    while (!stop_) {
      for (size_t i = 0; i < fds_.size(); ++i) {
        if (done[i]) continue;
        if (fds_[i] < 0) {
          done[i] = true;
          ++closed_;
          continue;
        }
        pollfd p = {fds_[i], POLLIN, 0};
        if (poll(&p, 1, 0) > 0) {
          char buf[512];
          ssize_t n = recv(fds_[i], buf, sizeof(buf), MSG_DONTWAIT);
          done[i] = true;
          if (n > 0) {
            ++answered_;
          } else {
            ++closed_;
          }
          continue;
        }
        char byte = sent[i] < prefix.size() ? prefix[sent[i]] : 'a';
        if (send(fds_[i], &byte, 1, MSG_NOSIGNAL | MSG_DONTWAIT) != 1) {
          done[i] = true;
          ++closed_;
          continue;
        }
        ++sent[i];
      }
      ++rounds_;
      cv_.notify_all();
      cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stop_; });
    }
  }

  std::vector<int> fds_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  int rounds_ = 0;
  size_t closed_ = 0;
  size_t answered_ = 0;
};

std::string Header(const RawResponse& r, const std::string& name) {
  std::string lower_name = name;
  for (char& c : lower_name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t line = r.head.find("\r\n");
  while (line != std::string::npos && line + 2 < r.head.size()) {
    size_t next = r.head.find("\r\n", line + 2);
    std::string text = r.head.substr(line + 2, next - line - 2);
    size_t colon = text.find(':');
    std::string key = text.substr(0, colon);
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (colon != std::string::npos && key == lower_name) {
      size_t value = text.find_first_not_of(' ', colon + 1);
      return value == std::string::npos ? "" : text.substr(value);
    }
    line = next;
  }
  return "";
}

class HttpLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<int> port = api_->Listen("127.0.0.1", 0);
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    port_ = *port;
  }

  httplib::Client AuthorisedClient() {
    httplib::Client client("127.0.0.1", port_);
    client.set_bearer_token_auth(kToken);
    client.set_connection_timeout(kGenerous);
    client.set_read_timeout(kGenerous);
    client.set_write_timeout(kGenerous);
    return client;
  }

  CountingBackend backend_;
  std::unique_ptr<HttpApi> api_ = std::make_unique<HttpApi>(&backend_, kToken);
  int port_ = 0;
};

// Issue 8.5: 17 slow connections held every request thread; 40 made an authorised request
// time out.
TEST_F(HttpLimitsTest, FortySlowHeaderClientsDoNotKeepAnAuthorisedRequestOut) {
  SlowClients slow(port_, 40);
  // Every slow connection has been accepted and has started its headers.
  ASSERT_TRUE(slow.AwaitRounds(3));
  httplib::Client client = AuthorisedClient();
  const Clock::time_point start = Clock::now();
  auto res = client.Get("/api/v1/server");
  RecordProperty("authorised_request_ms", static_cast<int>(std::chrono::duration_cast<
                                              std::chrono::milliseconds>(Clock::now() - start)
                                              .count()));
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(slow.answered(), 0u);
}

TEST_F(HttpLimitsTest, HeaderDeadlineClosesAConnectionSendingOneBytePerSecond) {
  SlowClients slow(port_, 1);
  // Each byte comes well within any per-read timeout; only a deadline for the whole header
  // section ends this (the default deadline is 10 s).
  EXPECT_TRUE(slow.AwaitClosed(1, std::chrono::seconds(60)));
  EXPECT_EQ(slow.answered(), 0u);
  EXPECT_EQ(backend_.calls(), 0);
}

TEST_F(HttpLimitsTest, OversizedBodyIs413BeforeTheBodyIsRead) {
  RawConnection c(port_);
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send(std::string("POST /api/v1/submit HTTP/1.1\r\nHost: t\r\n") +
                     "Authorization: Bearer " + kToken +
                     "\r\nContent-Type: application/json\r\n"
                     "Content-Length: 1099511627776\r\n\r\n"));
  // The body comes a byte a second, as if over a slow link: a server that reads it before
  // answering never answers.
  std::optional<RawResponse> res;
  const Clock::time_point give_up = Clock::now() + std::chrono::seconds(60);
  while (!res && Clock::now() < give_up) {
    res = c.ReadResponse(std::chrono::seconds(1));
    if (!res && !c.Send("{")) break;
  }
  ASSERT_TRUE(res) << "no answer while the body was still coming";
  EXPECT_THAT(res->head, StartsWith("HTTP/1.1 413"));
  EXPECT_EQ(Header(*res, "Connection"), "close");
  EXPECT_THAT(res->body, HasSubstr("body"));
  EXPECT_EQ(backend_.calls(), 0);
}

TEST_F(HttpLimitsTest, PostWithoutTokenIs401AndItsBodyIsNeverRead) {
  RawConnection c(port_);
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send(
      "POST /api/v1/submit HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
      "Content-Length: 100000\r\n\r\n"));
  std::optional<RawResponse> res = c.ReadResponse(kGenerous);
  ASSERT_TRUE(res) << "no answer before the body";
  EXPECT_THAT(res->head, StartsWith("HTTP/1.1 401"));
  EXPECT_EQ(Header(*res, "Connection"), "close");
  // What would have been the body is never taken as a request of its own.
  c.Send(std::string("GET /api/v1/server HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer ") +
         kToken + "\r\n\r\n");
  EXPECT_TRUE(c.AwaitClosedSilently(kGenerous));
  EXPECT_EQ(backend_.calls(), 0);
}

TEST_F(HttpLimitsTest, ExpectContinueWithoutTokenIs401And100IsNeverSent) {
  RawConnection c(port_);
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send(
      "POST /api/v1/control HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
      "Expect: 100-continue\r\nContent-Length: 10\r\n\r\n"));
  std::optional<RawResponse> res = c.ReadResponse(kGenerous);
  ASSERT_TRUE(res);
  EXPECT_THAT(res->head, StartsWith("HTTP/1.1 401"));
  EXPECT_EQ(backend_.calls(), 0);
}

// Found by fuzz/http_server_fuzzer: a refusal quoting a header that is not UTF-8 threw from
// the JSON dump inside httplib's 100-continue handler, which terminated the server.
TEST_F(HttpLimitsTest, ARefusalQuotingBytesThatAreNotUtf8IsAnAnswerNotACrash) {
  for (const char* auth : {"", "Authorization: Bearer " /* + token below */}) {
    RawConnection c(port_);
    ASSERT_TRUE(c.connected());
    std::string head = "POST /api/v1/control HTTP/1.1\r\nHost: t\r\n";
    if (*auth != '\0') head += std::string(auth) + kToken + "\r\n";
    ASSERT_TRUE(c.Send(head + "Content-Length: 3\x88\x36\r\nExpect: 100-continue\r\n\r\n"));
    std::optional<RawResponse> res = c.ReadResponse(kGenerous);
    ASSERT_TRUE(res) << "no answer: the server died?";
    EXPECT_THAT(res->head, StartsWith(*auth == '\0' ? "HTTP/1.1 401" : "HTTP/1.1 400"));
  }
  httplib::Client client = AuthorisedClient();
  auto still = client.Get("/api/v1/server");
  ASSERT_TRUE(still);
  EXPECT_EQ(still->status, 200);
}

// curl -d and urllib without a Content-Type send application/x-www-form-urlencoded: httplib
// used to decode such bodies as a form and refuse them above 8 KiB.
TEST_F(HttpLimitsTest, JsonBodyIsAcceptedWhateverItsContentType) {
  const std::string text(20000, 'x');
  const std::string body = Json({{"name", "t.yaml"}, {"text", text}, {"base_dir", "/"}}).dump();
  httplib::Client client = AuthorisedClient();
  for (const char* type : {"application/x-www-form-urlencoded", "multipart/form-data",
                           "text/plain"}) {
    auto res = client.Post("/api/v1/submit", body, type);
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, 200) << type << ": " << res->body;
    EXPECT_EQ(backend_.submitted_text().size(), text.size()) << type;
  }
}

TEST_F(HttpLimitsTest, KeepAliveConnectionServesSeveralRequests) {
  httplib::Client client = AuthorisedClient();
  client.set_keep_alive(true);
  for (int i = 0; i < 3; ++i) {
    auto res = client.Get("/api/v1/server");
    ASSERT_TRUE(res) << i << ": " << httplib::to_string(res.error());
    EXPECT_EQ(res->status, 200);
    auto post = client.Post("/api/v1/control", R"({"action": "pause", "refs": ["a"]})",
                            "application/json");
    ASSERT_TRUE(post) << i << ": " << httplib::to_string(post.error());
    EXPECT_EQ(post->status, 200);
  }
  EXPECT_EQ(backend_.calls(), 6);
}

TEST_F(HttpLimitsTest, StopDoesNotWaitForAClientStillSendingItsHeaders) {
  std::atomic<bool> stopped{false};
  std::thread stopper;
  {
    SlowClients slow(port_, 3);
    ASSERT_TRUE(slow.AwaitRounds(2));
    stopper = std::thread([&] {
      api_->Stop();
      stopped = true;
    });
    const Clock::time_point give_up = Clock::now() + kGenerous;
    while (!stopped && Clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_TRUE(stopped) << "Stop still waits for the slow clients";
  }  // the slow clients go away: Stop returns in any case
  stopper.join();
}

}  // namespace
}  // namespace allot
