// HttpApi: the cluster-mode HTTP API of docs/CLUSTER.md ("HTTP API") over an ApiBackend.
// It owns the HTTP server (cpp-httplib) and its threads; the backend owns everything else.
//
// Per request:
//   1. Before its body is read, `Authorization: Bearer <token>` is checked (constant-time
//      compare; without it, or with another token: 401 {"error": ...}) and so is the body's
//      size (413 over HttpLimits::max_body_bytes); a refused request never reaches the
//      backend. Slow and unauthenticated clients are held to HttpLimits, so that they cannot
//      keep an authorised client out (server/guarded_http_server.h).
//   2. The route is found (unknown: 404 {"error": ...}); its query parameters and JSON body are
//      parsed and validated (server/http_request_parser.h): on a problem, 400 {"error": ...}
//      naming the parameter, and the backend is not called.
//   3. One ApiBackend method is called; its JSON answer is the 200 body, its error Status the
//      error response (server/http_error.h). An exception from the backend is a 500.
//
// Threading: authenticated requests are served by HttpLimits::request_threads threads, so that
// several long polls (wait, events) and ordinary requests proceed at once. Listen and Stop are
// called from one thread (the owner's); the backend is called from the request threads.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "common/result.h"
#include "server/api_backend.h"
#include "server/http_limits.h"

namespace allot {

class GuardedHttpServer;

class HttpApi {
 public:
  // `backend` must outlive this object. REQUIRES: !token.empty()
  HttpApi(ApiBackend* backend, std::string token, HttpLimits limits = {});
  ~HttpApi();  // Stop()
  HttpApi(const HttpApi&) = delete;
  HttpApi& operator=(const HttpApi&) = delete;

  // Binds host:port (port 0: an ephemeral port) and serves from a thread of its own until
  // Stop. Returns the bound port, or IoError naming host and port when it cannot bind.
  // REQUIRES: not listening.
  Result<int> Listen(const std::string& host, int port);

  // Serves one connection on the calling thread (GuardedHttpServer::ServeConnection) through
  // the routes Listen would serve, without listening. For tests and the HTTP fuzz target.
  // REQUIRES: not listening.
  void ServeConnection(int fd);

  // Stops accepting, closes the connections that are not in a request, waits for requests in
  // flight to finish (see ApiBackend on long polls) and joins the threads. Idempotent; a no-op
  // when not listening.
  void Stop();

 private:
  void Route();

  ApiBackend* backend_;
  std::string token_;
  HttpLimits limits_;
  std::unique_ptr<GuardedHttpServer> server_;
  std::thread thread_;
};

}  // namespace allot
