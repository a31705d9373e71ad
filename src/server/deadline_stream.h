// DeadlineStream: an httplib::Stream over one connected socket, for GuardedHttpServer. It waits
// with poll, never blocking in recv or send, so that:
//   - while a request's headers are read, a deadline for all of them holds (a client sending
//     a byte a second cannot push it back), a byte budget caps them, and the server's stop
//     (its wake descriptor becoming readable) ends the wait;
//   - otherwise each read and each write waits at most its own timeout, as httplib's
//     SocketStream does.
// Reads are buffered; the bytes handed out are counted, so that the owner can tell whether a
// request's body was read to its end.
//
// Not thread-safe: one connection, one thread. Does not own the socket or the wake descriptor.
#pragma once

#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace allot {

class DeadlineStream : public httplib::Stream {
 public:
  using Clock = std::chrono::steady_clock;

  DeadlineStream(int sock, int wake_fd, std::chrono::milliseconds read_timeout,
                 std::chrono::milliseconds write_timeout);

  // From now until EndHeaders: reads fail once `deadline` has passed or `max_bytes` more have
  // been read, or when the wake descriptor is readable; writes fail once `deadline` has passed
  // (a connection past its deadline gets no answer).
  void BeginHeaders(Clock::time_point deadline, size_t max_bytes);
  void EndHeaders();

  // Waits up to `timeout` for the next byte (or the end of the stream) to be readable; false
  // on timeout, error, or when the wake descriptor is readable.
  bool WaitReadable(std::chrono::milliseconds timeout);

  // Reads and drops what arrives, until the end of the stream, `max_bytes` or `deadline`.
  void Drain(size_t max_bytes, Clock::time_point deadline);

  // Bytes handed to readers so far.
  uint64_t bytes_read() const { return bytes_read_; }

  // httplib::Stream
  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return sock_; }

 private:
  // Waits until the socket has `events` (POLLIN or POLLOUT), at most until `until`; with
  // `interruptible`, false as soon as the wake descriptor is readable.
  bool Await(short events, Clock::time_point until, bool interruptible) const;
  Clock::time_point ReadUntil() const;

  int sock_;
  int wake_fd_;
  std::chrono::milliseconds read_timeout_;
  std::chrono::milliseconds write_timeout_;
  bool in_headers_ = false;
  Clock::time_point headers_deadline_;
  size_t headers_budget_ = 0;  // bytes the headers may still take
  std::vector<char> buffer_;
  size_t buffer_begin_ = 0;
  size_t buffer_end_ = 0;
  uint64_t bytes_read_ = 0;
};

}  // namespace allot
