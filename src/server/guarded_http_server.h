// GuardedHttpServer: the HTTP API's server. cpp-httplib parses and routes; this class owns the
// connections, checks the bearer token and enforces HttpLimits, so that clients without the
// token can neither hold the server nor make it read, and an authorised client gets through.
//
// Per connection, on a thread of a pool of request_threads + max_pending threads:
//   1. It is pending (PendingConnections), which may push out the oldest pending ones.
//   2. Its request line and headers must be in within header_deadline and max_header_bytes;
//      else it is closed (past the deadline without an answer; too long: 400).
//   3. With the headers in and before any byte of the body is read, the request is refused
//      with a JSON {"error": ...} and `Connection: close` when it has no
//      `Authorization: Bearer <token>` (401), a Transfer-Encoding (411), a malformed or
//      conflicting Content-Length (400), or a Content-Length over max_body_bytes (413); the
//      connection is then closed after a short linger (HttpLimits::linger_*). A request with
//      the token makes the connection authenticated: no longer pending.
//   4. Otherwise httplib reads the body (Content-Length bytes; none without one) and routes.
//      The connection is kept for a next request (with a header deadline of its own) when the
//      client wishes, the body was read to its end and keep_alive_max_count allows, for
//      keep_alive_timeout at most between requests.
// The API takes JSON bodies only: no Content-Type makes httplib decode a body as a form (which
// it refused above 8 KiB) or as multipart.
//
// Set routes and the exception handler as on any httplib::Server before listening; the
// pre-routing and 100-continue handlers are this class's. Stop with Shutdown, which also ends
// the waits of connections for their next headers.
//
// Thread-safety: as httplib::Server; Shutdown may be called from any thread, once.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <string>

#include "server/http_limits.h"
#include "server/pending_connections.h"

namespace allot {

class GuardedHttpServer : public httplib::Server {
 public:
  // REQUIRES: !token.empty(); limits as HttpLimits requires.
  GuardedHttpServer(std::string token, HttpLimits limits);
  ~GuardedHttpServer() override;
  GuardedHttpServer(const GuardedHttpServer&) = delete;
  GuardedHttpServer& operator=(const GuardedHttpServer&) = delete;

  // bind_to_any_port (port 0) or bind_to_port, then a listen backlog of SOMAXCONN: httplib's
  // is 5, and past it the kernel drops new connections' SYNs, which are retried only after
  // 1 s, 3 s, ... Returns the bound port, or -1.
  int Bind(const std::string& host, int port);

  // Stops accepting (httplib's stop) and wakes every connection waiting for headers, so that
  // only requests in flight are waited for.
  void Shutdown();

  // Serves one connection (an accepted socket, or one end of a socketpair) on the calling
  // thread, exactly as a pool thread serves an accepted one, and closes it. For tests and the
  // HTTP fuzz target, which drive the whole request path without a listening socket.
  void ServeConnection(socket_t sock) { process_and_close_socket(sock); }

 private:
  // Why a request is refused before its body; status 0: it is not.
  struct Refusal {
    int status = 0;
    std::string message;
  };
  // What process_request's setup hook learns about one request.
  struct RequestFacts {
    bool headers_in = false;
    Refusal refusal;
    uint64_t body_start = 0;   // the stream's bytes_read() when the body begins
    uint64_t body_length = 0;  // its Content-Length
  };

  Refusal Check(const httplib::Request& req) const;
  bool process_and_close_socket(socket_t sock) override;

  const std::string token_;
  const HttpLimits limits_;
  PendingConnections pending_;
  int wake_fd_ = -1;  // eventfd, readable once Shutdown was called
};

}  // namespace allot
