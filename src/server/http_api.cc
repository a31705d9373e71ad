#include "server/http_api.h"

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <utility>

#include <fmt/format.h>

#include "server/guarded_http_server.h"
#include "server/http_error.h"
#include "server/http_request_parser.h"

namespace allot {
namespace {

using Json = nlohmann::json;
using httplib::Request;
using httplib::Response;

void WriteJson(Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, Json::error_handler_t::replace), "application/json");
}

void WriteError(Response& res, const Status& status) {
  WriteJson(res, HttpStatusFor(status), ErrorBody(status));
}

void WriteResult(Response& res, const Result<Json>& result) {
  if (result.ok()) {
    WriteJson(res, 200, *result);
  } else {
    WriteError(res, result.status());
  }
}

// Calls `call` with the parsed request, or answers 400 when parsing failed.
template <typename Request, typename Call>
void Serve(Response& res, Result<Request> parsed, Call call) {
  if (!parsed.ok()) {
    WriteError(res, parsed.status());
    return;
  }
  WriteResult(res, call(*parsed));
}

}  // namespace

HttpApi::HttpApi(ApiBackend* backend, std::string token, HttpLimits limits)
    : backend_(backend), token_(std::move(token)), limits_(limits) {}

HttpApi::~HttpApi() { Stop(); }

Result<int> HttpApi::Listen(const std::string& host, int port) {
  server_ = std::make_unique<GuardedHttpServer>(token_, limits_);
  // httplib's default adds SO_REUSEPORT, which would let a second server share a busy port.
  server_->set_socket_options([](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  Route();
  int bound = server_->Bind(host, port);
  if (bound <= 0) {
    server_.reset();
    return Status::IoError(fmt::format("cannot listen for HTTP on {}:{}", host, port));
  }
  auto done = std::make_shared<std::atomic<bool>>(false);
  thread_ = std::thread([server = server_.get(), done] {
    server->listen_after_bind();
    done->store(true);
  });
  // Stop() is a no-op until the server runs: wait for it, so that Stop right after Listen
  // cannot be lost.
  while (!server_->is_running() && !done->load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return bound;
}

void HttpApi::ServeConnection(int fd) {
  if (server_ == nullptr) {
    server_ = std::make_unique<GuardedHttpServer>(token_, limits_);
    Route();
  }
  server_->ServeConnection(fd);
}

void HttpApi::Stop() {
  if (!thread_.joinable()) return;
  server_->Shutdown();
  thread_.join();
  server_.reset();
}

void HttpApi::Route() {
  httplib::Server& s = *server_;
  ApiBackend* b = backend_;
  s.set_exception_handler([](const Request& req, Response& res, std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    WriteError(res, Status::Internal(fmt::format("{} {}: {}", req.method, req.path, what)));
  });

  s.Get("/api/v1/server", [b](const Request& req, Response& res) {
    Status params = CheckNoQueryParams(req.params);
    if (!params.ok()) return WriteError(res, params);
    WriteResult(res, b->ServerInfo());
  });
  s.Post("/api/v1/server/stop", [b](const Request& req, Response& res) {
    Serve(res, ParseStopServerBody(req.body),
          [b](const StopServerRequest& r) { return b->StopServer(r); });
  });
  s.Post("/api/v1/submit", [b](const Request& req, Response& res) {
    Serve(res, ParseSubmitBody(req.body), [b](const SubmitRequest& r) { return b->Submit(r); });
  });
  s.Get("/api/v1/tasks", [b](const Request& req, Response& res) {
    Serve(res, ParseTaskQuery(req.params), [b](const TaskQuery& q) { return b->ListTasks(q); });
  });
  s.Get("/api/v1/tasks/([^/]+)", [b](const Request& req, Response& res) {
    Status params = CheckNoQueryParams(req.params);
    if (!params.ok()) return WriteError(res, params);
    WriteResult(res, b->GetTask(req.matches[1].str()));
  });
  s.Post("/api/v1/control", [b](const Request& req, Response& res) {
    Serve(res, ParseControlBody(req.body), [b](const ControlRequest& r) { return b->Control(r); });
  });
  s.Post("/api/v1/requeue", [b](const Request& req, Response& res) {
    Serve(res, ParseRequeueBody(req.body), [b](const RequeueRequest& r) { return b->Requeue(r); });
  });
  s.Get("/api/v1/wait", [b](const Request& req, Response& res) {
    Serve(res, ParseWaitQuery(req.params), [b](const WaitRequest& r) { return b->Wait(r); });
  });
  s.Get("/api/v1/events", [b](const Request& req, Response& res) {
    Serve(res, ParseEventsQuery(req.params), [b](const EventsRequest& r) { return b->Events(r); });
  });
  s.Get("/api/v1/log/([^/]+)", [b](const Request& req, Response& res) {
    Result<LogRequest> parsed = ParseLogQuery(req.matches[1].str(), req.params);
    if (!parsed.ok()) return WriteError(res, parsed.status());
    Result<LogChunk> chunk = b->ReadLog(*parsed);
    if (!chunk.ok()) return WriteError(res, chunk.status());
    res.status = 200;
    res.set_header("X-Allot-Next-Offset", std::to_string(chunk->next_offset));
    res.set_header("X-Allot-Task-State", std::string(TaskStateName(chunk->state)));
    res.set_content(chunk->bytes, "text/plain");
  });
  s.Get("/metrics", [b](const Request& req, Response& res) {
    Status params = CheckNoQueryParams(req.params);
    if (!params.ok()) return WriteError(res, params);
    Result<std::string> text = b->Metrics();
    if (!text.ok()) return WriteError(res, text.status());
    res.status = 200;
    res.set_content(*text, "text/plain; version=0.0.4; charset=utf-8");
  });
  s.Get("/api/v1/workers", [b](const Request& req, Response& res) {
    Status params = CheckNoQueryParams(req.params);
    if (!params.ok()) return WriteError(res, params);
    WriteResult(res, b->ListWorkers());
  });
  s.Post("/api/v1/workers/([^/]+)/([^/]+)", [b](const Request& req, Response& res) {
    WorkerControlRequest r;
    r.worker = req.matches[1].str();
    const std::string action = req.matches[2].str();
    if (action == "drain") {
      r.action = WorkerAction::kDrain;
    } else if (action == "stop") {
      r.action = WorkerAction::kStop;
    } else {
      return WriteError(res, Status::InvalidArgument(fmt::format(
                                 "path: unknown worker action '{}' (accepted: drain, stop)",
                                 action)));
    }
    WriteResult(res, b->ControlWorker(r));
  });
  s.Post("/api/v1/alloc/queues", [b](const Request& req, Response& res) {
    Serve(res, ParseAllocAddBody(req.body), [b](const AllocAddRequest& r) { return b->AllocAdd(r); });
  });
  s.Get("/api/v1/alloc/queues", [b](const Request& req, Response& res) {
    Status params = CheckNoQueryParams(req.params);
    if (!params.ok()) return WriteError(res, params);
    WriteResult(res, b->AllocList());
  });
  s.Post("/api/v1/alloc/queues/([^/]+)/([^/]+)", [b](const Request& req, Response& res) {
    Serve(res, ParseAllocControl(req.matches[1].str(), req.matches[2].str(), req.body),
          [b](const AllocControlRequest& r) { return b->AllocControl(r); });
  });
  s.Get("/api/v1/alloc/events", [b](const Request& req, Response& res) {
    Serve(res, ParseAllocEventsQuery(req.params),
          [b](const AllocEventsRequest& r) { return b->AllocEvents(r); });
  });
  auto unknown = [](const Request& req, Response& res) {
    WriteJson(res, 404, {{"error", fmt::format("no endpoint {} {}", req.method, req.path)}});
  };
  s.Get(".*", unknown);
  s.Post(".*", unknown);
}

}  // namespace allot
