// HttpLimits: what a client of the HTTP API may hold and send (GuardedHttpServer enforces them).
//
// A client without the token holds at most one connection slot among `max_pending` (and
// `max_pending_per_address` of its address) for at most `header_deadline`, and never gets a
// byte of its body read. `request_threads` threads stay free of such clients, so an
// authorised client gets through whatever they do.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace allot {

struct HttpLimits {
  // Threads for authenticated requests; each long poll (wait, events) holds one while it waits.
  int request_threads = 16;

  // The request line and headers must be in within this, counted from the connection's start
  // (or, on a kept-alive connection, from the first byte of its next request): a total, so
  // that sending one byte a second does not keep a connection. Past it the connection is
  // closed without an answer.
  std::chrono::milliseconds header_deadline{10'000};
  // At most this many bytes of request line and headers (more: 400, and closed).
  size_t max_header_bytes = 64 * 1024;

  // Connections that have not shown the token yet ("pending"): at most `max_pending` at once,
  // `max_pending_per_address` from one client address. A new connection over a cap closes the
  // oldest pending one (of its own address when that cap is the one reached), so a client
  // that sends its request at once is always served, and holding connections open only
  // pushes out one's own. Each pending connection holds a thread too (the pool has
  // request_threads + max_pending). REQUIRES: both >= 1.
  size_t max_pending = 64;
  size_t max_pending_per_address = 16;

  // A request body over this is refused with 413 before any of it is read.
  uint64_t max_body_bytes = uint64_t{1} << 30;

  // After a refusal (401, 411, 413) the request's body may still be on its way: up to this
  // much of it is read and dropped, for at most `linger_time`, so that the client reads the
  // answer rather than a reset.
  size_t linger_bytes = 16 << 20;
  std::chrono::milliseconds linger_time{2'000};
};

}  // namespace allot
