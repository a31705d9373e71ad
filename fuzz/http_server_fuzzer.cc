// libFuzzer target: arbitrary bytes as what a client sends on one connection to the HTTP API,
// through the whole request path: GuardedHttpServer (deadlines, pending connections, the
// token, Content-Length checks, keep-alive), cpp-httplib's request parsing and routing, the
// API's parameter and body parsing, down to a backend that answers every call. The bytes are
// written to one end of a socketpair and the server serves the other end.
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "server/api_backend.h"
#include "server/http_api.h"

namespace {

using Json = nlohmann::json;
constexpr const char* kToken = "fuzz-token";

// Answers every call; checks what the API promises to hand it.
class Backend final : public allot::ApiBackend {
 public:
  allot::Result<Json> ServerInfo() override { return Json{{"version", "fuzz"}}; }
  allot::Result<Json> StopServer(const allot::StopServerRequest&) override {
    return Json::object();
  }
  allot::Result<Json> Submit(const allot::SubmitRequest& r) override {
    if (r.name.empty()) Fail("submit without a name reached the backend");
    return Json{{"ids", Json::array()}};
  }
  allot::Result<Json> ListTasks(const allot::TaskQuery& q) override {
    if (q.limit < 0) Fail("negative limit reached the backend");
    return Json{{"tasks", Json::array()}};
  }
  allot::Result<Json> GetTask(const std::string& ref) override {
    return allot::Status::NotFound("no task '" + ref + "'");
  }
  allot::Result<Json> Control(const allot::ControlRequest& r) override {
    if (r.refs.empty()) Fail("control without refs reached the backend");
    return Json{{"tasks", Json::array()}};
  }
  allot::Result<Json> Wait(const allot::WaitRequest& r) override {
    if (r.timeout_s < 0 || r.timeout_s > allot::WaitRequest::kMaxTimeoutS) Fail("bad timeout");
    return Json{{"done", true}};
  }
  allot::Result<Json> Events(const allot::EventsRequest& r) override {
    if (r.limit < 1 || r.limit > allot::EventsRequest::kMaxLimit) Fail("bad limit");
    return Json{{"events", Json::array()}, {"last", 0}};
  }
  allot::Result<allot::LogChunk> ReadLog(const allot::LogRequest& r) override {
    if (r.offset < 0) Fail("negative offset reached the backend");
    return allot::LogChunk{};
  }
  allot::Result<Json> ListWorkers() override { return Json{{"workers", Json::array()}}; }
  allot::Result<Json> ControlWorker(const allot::WorkerControlRequest&) override {
    return Json::object();
  }

 private:
  [[noreturn]] static void Fail(const char* what) {
    std::fprintf(stderr, "fuzz invariant violated: %s\n", what);
    std::abort();
  }
};

allot::HttpApi& Api() {
  static Backend backend;
  static allot::HttpApi* api = [] {
    allot::HttpLimits limits;
    limits.linger_time = std::chrono::milliseconds(0);  // refusals must not stall the fuzzer
    limits.header_deadline = std::chrono::milliseconds(2000);
    return new allot::HttpApi(&backend, kToken, limits);
  }();
  return *api;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) std::abort();
  int buffer = 1 << 20;
  setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
  size_t off = 0;
  while (off < size) {
    ssize_t n = write(fds[0], data + off, size - off);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  shutdown(fds[0], SHUT_WR);
  Api().ServeConnection(fds[1]);  // closes fds[1]
  char sink[4096];
  while (read(fds[0], sink, sizeof sink) > 0) {
  }
  close(fds[0]);
  return 0;
}
