// WorkerConnection: a worker's side of the worker protocol (docs/CLUSTER.md): one ZeroMQ DEALER
// socket whose routing id is the worker's name, a CURVE client that trusts only the access
// file's server_public_key and presents its client key pair, connected to worker_endpoint.
//
// ZeroMQ connects in the background and reconnects by itself (100 ms, backing off to 2 s), and
// notices a dead connection by ZMTP heartbeats. Messages sent while no connection is up wait in
// the socket's queue and go out once one is; a message in flight when a connection breaks may
// be lost, which the protocol tolerates (exits are kept until acked and sent again).
//
// Send and Receive never block; the owner polls socket() with zmq_poll. Each message is one
// frame. Threads: owns a ZeroMQ context (one I/O thread, started by Create, so a caller that
// blocks signals for a signalfd must do so first); every method from one thread at a time.
// The destructor gives queued messages up to `linger` to leave, then drops them.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/result.h"
#include "protocol/access_file.h"

namespace allot {

class WorkerConnection {
 public:
  // InvalidArgument when `name` is empty or longer than 255 bytes, or a key is not 40-character
  // Z85; IoError when the endpoint cannot be parsed or connected to.
  static Result<std::unique_ptr<WorkerConnection>> Create(
      const AccessFile& access, const std::string& name,
      std::chrono::milliseconds linger = std::chrono::seconds(2));
  ~WorkerConnection();

  WorkerConnection(const WorkerConnection&) = delete;
  WorkerConnection& operator=(const WorkerConnection&) = delete;

  const std::string& endpoint() const { return endpoint_; }
  // The DEALER socket, for zmq_poll. Owned by the connection; never close it.
  void* socket() const { return socket_; }

  // The next frame from the server, if any; false when none is waiting.
  bool Receive(std::string* payload);
  // Queues one frame for the server. Unavailable when the queue is full.
  Status Send(const std::string& payload);

 private:
  WorkerConnection(void* context, void* socket, std::string endpoint);

  void* context_;
  void* socket_;
  std::string endpoint_;
};

}  // namespace allot
