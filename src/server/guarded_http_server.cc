#include "server/guarded_http_server.h"

#include <strings.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "server/deadline_stream.h"

namespace allot {
namespace {

using httplib::Request;
using httplib::Response;
using Clock = DeadlineStream::Clock;

constexpr std::string_view kBearer = "Bearer ";
constexpr char kUnauthorized[] =
    "missing or wrong bearer token (it is in the server's access.json)";

// Compares in time that depends only on the lengths (the token's length is no secret).
bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i]);
  }
  return diff == 0;
}

bool Authorized(const Request& req, const std::string& token) {
  const std::string header = req.get_header_value("Authorization");
  if (header.size() < kBearer.size() ||
      strncasecmp(header.data(), kBearer.data(), kBearer.size()) != 0) {
    return false;
  }
  return ConstantTimeEquals(std::string_view(header).substr(kBearer.size()), token);
}

// A Content-Length value: 1 to 19 digits, nothing else.
std::optional<uint64_t> ParseLength(const std::string& text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  uint64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return n;
}

bool StartsWithNoCase(const std::string& text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         strncasecmp(text.data(), prefix.data(), prefix.size()) == 0;
}

std::chrono::milliseconds Timeout(time_t sec, time_t usec) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::seconds(sec) +
                                                               std::chrono::microseconds(usec));
}

void WriteRefusal(Response& res, int status, const std::string& message) {
  res.status = status;
  if (status == 401) res.set_header("WWW-Authenticate", "Bearer");
  // The message may quote a header, which may hold any bytes: never throw on them.
  res.set_content(nlohmann::json{{"error", message}}.dump(-1, ' ', false,
                                                         nlohmann::json::error_handler_t::replace),
                  "application/json");
}

// For an admitted request, before httplib reads its body.
void PrepareBody(Request& req) {
  // A request without Content-Length or Transfer-Encoding has no body (RFC 9112 6.3); httplib
  // would read one until the connection ends.
  if (!req.has_header("Content-Length")) req.set_header("Content-Length", "0");
  const std::string type = req.get_header_value("Content-Type");
  if (StartsWithNoCase(type, "application/x-www-form-urlencoded") ||
      StartsWithNoCase(type, "multipart/form-data")) {
    req.headers.erase("Content-Type");
  }
}

}  // namespace

GuardedHttpServer::GuardedHttpServer(std::string token, HttpLimits limits)
    : token_(std::move(token)),
      limits_(limits),
      pending_(limits.max_pending, limits.max_pending_per_address),
      wake_fd_(eventfd(0, EFD_CLOEXEC)) {
  const size_t threads = static_cast<size_t>(limits_.request_threads) + limits_.max_pending;
  new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  set_payload_max_length(limits_.max_body_bytes);  // Check refuses first; this is a backstop
  set_pre_routing_handler([this](const Request& req, Response& res) {
    Refusal refusal = Check(req);
    if (refusal.status == 0) return HandlerResponse::Unhandled;
    WriteRefusal(res, refusal.status, refusal.message);
    return HandlerResponse::Handled;
  });
  // Without this, httplib answers "100 Continue" before routing: the client would send the
  // body of a request that is refused.
  set_expect_100_continue_handler([this](const Request& req, Response& res) {
    Refusal refusal = Check(req);
    if (refusal.status == 0) return 100;
    WriteRefusal(res, refusal.status, refusal.message);
    return refusal.status;
  });
}

GuardedHttpServer::~GuardedHttpServer() {
  if (wake_fd_ >= 0) close(wake_fd_);
}

int GuardedHttpServer::Bind(const std::string& host, int port) {
  int bound = port == 0 ? bind_to_any_port(host) : (bind_to_port(host, port) ? port : -1);
  if (bound > 0) ::listen(svr_sock_, SOMAXCONN);  // on a listening socket: a new backlog
  return bound;
}

void GuardedHttpServer::Shutdown() {
  if (wake_fd_ >= 0) {
    // Never read: the descriptor stays readable for every later poll.
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof(one));
  }
  stop();
}

GuardedHttpServer::Refusal GuardedHttpServer::Check(const Request& req) const {
  if (!Authorized(req, token_)) return {401, kUnauthorized};
  if (req.has_header("Transfer-Encoding")) {
    return {411, "a request body must come with a Content-Length (Transfer-Encoding '" +
                     req.get_header_value("Transfer-Encoding") + "' is not accepted)"};
  }
  std::optional<uint64_t> length;
  for (size_t i = 0; i < req.get_header_value_count("Content-Length"); ++i) {
    const std::string text = req.get_header_value("Content-Length", i);
    std::optional<uint64_t> n = ParseLength(text);
    if (!n) return {400, "header Content-Length: not a byte count: '" + text + "'"};
    if (length && *length != *n) return {400, "header Content-Length: given twice, differently"};
    length = n;
  }
  if (length && *length > limits_.max_body_bytes) {
    return {413, fmt::format("request body of {} bytes: over the limit of {} bytes", *length,
                             limits_.max_body_bytes)};
  }
  return {};
}

bool GuardedHttpServer::process_and_close_socket(socket_t sock) {
  DeadlineStream stream(sock, wake_fd_, Timeout(read_timeout_sec_, read_timeout_usec_),
                        Timeout(write_timeout_sec_, write_timeout_usec_));
  std::string address;
  int port = 0;
  stream.get_remote_ip_and_port(address, port);
  const PendingConnections::Id pending = pending_.Admit(sock, address);
  bool linger = false;
  Clock::time_point headers_by = Clock::now() + limits_.header_deadline;
  for (size_t served = 0;; ++served) {
    stream.BeginHeaders(headers_by, limits_.max_header_bytes);
    RequestFacts facts;
    bool connection_closed = false;
    const bool last = served + 1 >= keep_alive_max_count_;
    bool ok = process_request(stream, last, connection_closed, [&](Request& req) {
      stream.EndHeaders();
      facts.headers_in = true;
      facts.body_start = stream.bytes_read();
      facts.refusal = Check(req);
      if (facts.refusal.status != 0) {
        // The answer says so: the connection ends after it.
        req.headers.erase("Connection");
        req.set_header("Connection", "close");
        return;
      }
      pending_.Remove(pending);  // authenticated
      PrepareBody(req);
      facts.body_length = ParseLength(req.get_header_value("Content-Length")).value_or(0);
    });
    stream.EndHeaders();
    if (!facts.headers_in) break;  // closed, timed out, malformed or too long
    if (facts.refusal.status != 0) {
      linger = true;
      break;
    }
    // An unread body would be taken for the next request.
    if (!ok || connection_closed || last ||
        stream.bytes_read() - facts.body_start < facts.body_length) {
      break;
    }
    if (!stream.WaitReadable(std::chrono::seconds(keep_alive_timeout_sec_))) break;
    headers_by = Clock::now() + limits_.header_deadline;
  }
  if (linger) {
    // The answer is sent; the client may still be sending the body. Closing with unread bytes
    // would reset the connection, and the client might never read the answer.
    shutdown(sock, SHUT_WR);
    stream.Drain(limits_.linger_bytes, Clock::now() + limits_.linger_time);
  }
  pending_.Remove(pending);
  shutdown(sock, SHUT_RDWR);
  close(sock);
  return true;
}

}  // namespace allot
