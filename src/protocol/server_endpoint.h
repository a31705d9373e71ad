// ServerEndpoint: the server's side of the worker protocol (docs/CLUSTER.md): one ZeroMQ ROUTER
// socket, a CURVE server with the access file's server key pair, and a ZAP handler that admits
// only CURVE clients presenting the access file's client_public_key. Everything else (NULL or
// PLAIN mechanism, another CURVE key) fails its handshake, so no message of it ever arrives.
//
// Each message is one frame from / to a peer named by its routing id (the worker's name).
// Receive and Send never block; the owner polls socket() with zmq_poll (ZMQ_POLLIN) and drains
// Receive until it returns false. A peer that reconnects with the same name takes over the old
// connection (ZMQ_ROUTER_HANDOVER).
//
// Threads: the endpoint owns a ZeroMQ context, with its I/O thread and one small ZAP thread, both
// stopped and joined by the destructor. Every method must be called from one thread at a time
// (the owner's event loop). Pending outgoing messages are dropped at destruction (linger 0).
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "common/result.h"
#include "protocol/access_file.h"

namespace allot {

class ServerEndpoint {
 public:
  // Binds `bind_endpoint` ("tcp://*:38212", "tcp://127.0.0.1:0" for an ephemeral port).
  // InvalidArgument when the keys are not 40-character Z85; IoError naming the endpoint when it
  // cannot be bound (address in use, bad host); Internal when libzmq lacks CURVE.
  static Result<std::unique_ptr<ServerEndpoint>> Create(const AccessFile& access,
                                                        const std::string& bind_endpoint);
  ~ServerEndpoint();

  ServerEndpoint(const ServerEndpoint&) = delete;
  ServerEndpoint& operator=(const ServerEndpoint&) = delete;

  // The bound TCP port (the ephemeral one when the endpoint said 0).
  int port() const { return port_; }
  // What ZeroMQ reports as bound: "tcp://0.0.0.0:38212".
  const std::string& bound_endpoint() const { return bound_endpoint_; }
  // The ROUTER socket, for zmq_poll. Owned by the endpoint; never close it.
  void* socket() const { return socket_; }

  // The next message, if any: its sender's routing id and its one frame. False when none is
  // waiting. Frames after the first of a multi-frame message are discarded.
  bool Receive(std::string* peer, std::string* payload);
  // Queues one frame for `peer`. NotFound when no peer of that name is connected (it left or
  // never came: ZMQ_ROUTER_MANDATORY, never a silent drop); Unavailable when its queue is full.
  Status Send(const std::string& peer, const std::string& payload);

 private:
  ServerEndpoint(void* context, void* socket, void* zap_socket);
  static void ServeZap(void* zap_socket, std::string allowed_key);

  void* context_;
  void* socket_;
  std::thread zap_thread_;
  int port_ = 0;
  std::string bound_endpoint_;
};

}  // namespace allot
