#include "protocol/worker_connection.h"

#include <zmq.h>

#include <cerrno>

#include "protocol/zmq_options.h"

namespace allot {
namespace {

constexpr int kReconnectMs = 100;
constexpr int kReconnectMaxMs = 2000;
// ZMTP heartbeats: a silent (half-open) connection is dropped and redialed after 30 s.
constexpr int kHeartbeatIvlMs = 10'000;
constexpr int kHeartbeatTimeoutMs = 30'000;

}  // namespace

Result<std::unique_ptr<WorkerConnection>> WorkerConnection::Create(
    const AccessFile& access, const std::string& name, std::chrono::milliseconds linger) {
  if (name.empty() || name.size() > 255) {
    return Status::InvalidArgument("worker name '" + name + "': must be 1 to 255 bytes");
  }
  if (!zmq_has("curve")) return Status::Internal("this libzmq was built without CURVE support");
  ALLOT_RETURN_IF_ERROR(DecodeZ85Key(access.server_public_key, "server_public_key").status());
  ALLOT_RETURN_IF_ERROR(DecodeZ85Key(access.client_public_key, "client_public_key").status());
  ALLOT_RETURN_IF_ERROR(DecodeZ85Key(access.client_secret_key, "client_secret_key").status());

  void* context = zmq_ctx_new();
  if (context == nullptr) return ErrnoStatus("zmq_ctx_new", errno);
  void* dealer = zmq_socket(context, ZMQ_DEALER);
  if (dealer == nullptr) {
    Status s = ErrnoStatus("zmq_socket", errno);
    zmq_ctx_term(context);
    return s;
  }
  std::unique_ptr<WorkerConnection> connection(
      new WorkerConnection(context, dealer, access.worker_endpoint));
  ALLOT_RETURN_IF_ERROR(SetIntOption(dealer, ZMQ_LINGER, static_cast<int>(linger.count())));
  ALLOT_RETURN_IF_ERROR(SetStringOption(dealer, ZMQ_ROUTING_ID, name));
  ALLOT_RETURN_IF_ERROR(SetIntOption(dealer, ZMQ_RECONNECT_IVL, kReconnectMs));
  ALLOT_RETURN_IF_ERROR(SetIntOption(dealer, ZMQ_RECONNECT_IVL_MAX, kReconnectMaxMs));
  ALLOT_RETURN_IF_ERROR(SetIntOption(dealer, ZMQ_HEARTBEAT_IVL, kHeartbeatIvlMs));
  ALLOT_RETURN_IF_ERROR(SetIntOption(dealer, ZMQ_HEARTBEAT_TIMEOUT, kHeartbeatTimeoutMs));
  ALLOT_RETURN_IF_ERROR(SetIntOption(dealer, ZMQ_SNDHWM, kHighWaterMark));
  ALLOT_RETURN_IF_ERROR(SetIntOption(dealer, ZMQ_RCVHWM, kHighWaterMark));
  ALLOT_RETURN_IF_ERROR(SetStringOption(dealer, ZMQ_CURVE_SERVERKEY, access.server_public_key));
  ALLOT_RETURN_IF_ERROR(SetStringOption(dealer, ZMQ_CURVE_PUBLICKEY, access.client_public_key));
  ALLOT_RETURN_IF_ERROR(SetStringOption(dealer, ZMQ_CURVE_SECRETKEY, access.client_secret_key));
  if (zmq_connect(dealer, access.worker_endpoint.c_str()) != 0) {
    return Status::IoError("cannot connect to the worker endpoint '" + access.worker_endpoint +
                           "': " + zmq_strerror(errno));
  }
  return connection;
}

WorkerConnection::WorkerConnection(void* context, void* socket, std::string endpoint)
    : context_(context), socket_(socket), endpoint_(std::move(endpoint)) {}

WorkerConnection::~WorkerConnection() {
  zmq_close(socket_);
  zmq_ctx_term(context_);  // waits up to the linger for queued messages to leave
}

bool WorkerConnection::Receive(std::string* payload) {
  zmq_msg_t msg;
  zmq_msg_init(&msg);
  if (zmq_msg_recv(&msg, socket_, ZMQ_DONTWAIT) < 0) {
    zmq_msg_close(&msg);
    return false;
  }
  payload->assign(static_cast<const char*>(zmq_msg_data(&msg)), zmq_msg_size(&msg));
  // One frame per message: anything after the first is dropped.
  while (zmq_msg_more(&msg) && zmq_msg_recv(&msg, socket_, ZMQ_DONTWAIT) >= 0) {
  }
  zmq_msg_close(&msg);
  return true;
}

Status WorkerConnection::Send(const std::string& payload) {
  if (zmq_send(socket_, payload.data(), payload.size(), ZMQ_DONTWAIT) < 0) {
    int err = errno;
    if (err == EAGAIN) return Status::Unavailable("the send queue to the server is full");
    return Status::IoError(std::string("cannot send to the server: ") + zmq_strerror(err));
  }
  return Status::Ok();
}

}  // namespace allot
