#include "server/deadline_stream.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace allot {
namespace {

constexpr size_t kBufferBytes = 16 * 1024;

using Addr = int (*)(int, sockaddr*, socklen_t*);

// The numeric host and port of `sock`'s peer or local end, as httplib reports them.
void IpAndPort(int sock, Addr get, std::string& ip, int& port) {
  sockaddr_storage addr = {};
  socklen_t len = sizeof(addr);
  if (get(sock, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return;
  char host[NI_MAXHOST];
  char service[NI_MAXSERV];
  if (getnameinfo(reinterpret_cast<sockaddr*>(&addr), len, host, sizeof(host), service,
                  sizeof(service), NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
    ip = host;
    port = std::atoi(service);
  }
}

}  // namespace

DeadlineStream::DeadlineStream(int sock, int wake_fd, std::chrono::milliseconds read_timeout,
                               std::chrono::milliseconds write_timeout)
    : sock_(sock),
      wake_fd_(wake_fd),
      read_timeout_(read_timeout),
      write_timeout_(write_timeout),
      buffer_(kBufferBytes) {}

void DeadlineStream::BeginHeaders(Clock::time_point deadline, size_t max_bytes) {
  in_headers_ = true;
  headers_deadline_ = deadline;
  headers_budget_ = max_bytes;
}

void DeadlineStream::EndHeaders() { in_headers_ = false; }

DeadlineStream::Clock::time_point DeadlineStream::ReadUntil() const {
  Clock::time_point until = Clock::now() + read_timeout_;
  return in_headers_ ? std::min(until, headers_deadline_) : until;
}

bool DeadlineStream::Await(short events, Clock::time_point until, bool interruptible) const {
  for (;;) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now());
    if (left.count() <= 0) return false;
    pollfd fds[2] = {{sock_, events, 0}, {wake_fd_, POLLIN, 0}};
    int n = poll(fds, interruptible && wake_fd_ >= 0 ? 2 : 1,
                 static_cast<int>(std::min<int64_t>(left.count(), 60'000)));
    if (n < 0 && errno != EINTR) return false;
    if (n <= 0) continue;
    if (fds[0].revents != 0) return true;  // ready, or an error the next call reports
    return false;                          // woken
  }
}

bool DeadlineStream::WaitReadable(std::chrono::milliseconds timeout) {
  if (buffer_begin_ < buffer_end_) return true;
  return Await(POLLIN, Clock::now() + timeout, /*interruptible=*/true);
}

bool DeadlineStream::is_readable() const {
  return buffer_begin_ < buffer_end_ || Await(POLLIN, ReadUntil(), in_headers_);
}

bool DeadlineStream::is_writable() const {
  if (in_headers_ && Clock::now() >= headers_deadline_) return false;
  return Await(POLLOUT, Clock::now() + write_timeout_, /*interruptible=*/false);
}

ssize_t DeadlineStream::read(char* ptr, size_t size) {
  if (in_headers_) {
    if (headers_budget_ == 0) return -1;
    size = std::min(size, headers_budget_);
  }
  if (buffer_begin_ == buffer_end_) {
    if (!Await(POLLIN, ReadUntil(), in_headers_)) return -1;
    ssize_t n;
    do {
      n = recv(sock_, buffer_.data(), buffer_.size(), MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) return n;
    buffer_begin_ = 0;
    buffer_end_ = static_cast<size_t>(n);
  }
  size_t n = std::min(size, buffer_end_ - buffer_begin_);
  std::memcpy(ptr, buffer_.data() + buffer_begin_, n);
  buffer_begin_ += n;
  bytes_read_ += n;
  if (in_headers_) headers_budget_ -= n;
  return static_cast<ssize_t>(n);
}

ssize_t DeadlineStream::write(const char* ptr, size_t size) {
  size_t done = 0;
  while (done < size) {
    if (!is_writable()) return -1;
    ssize_t n = send(sock_, ptr + done, size - done, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      return -1;
    }
    done += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(done);
}

void DeadlineStream::Drain(size_t max_bytes, Clock::time_point deadline) {
  size_t dropped = buffer_end_ - buffer_begin_;
  buffer_begin_ = buffer_end_;
  while (dropped < max_bytes && Await(POLLIN, deadline, /*interruptible=*/true)) {
    ssize_t n = recv(sock_, buffer_.data(), buffer_.size(), MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) return;
    if (n > 0) dropped += static_cast<size_t>(n);
  }
}

void DeadlineStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  IpAndPort(sock_, getpeername, ip, port);
}

void DeadlineStream::get_local_ip_and_port(std::string& ip, int& port) const {
  IpAndPort(sock_, getsockname, ip, port);
}

}  // namespace allot
