#include "protocol/server_endpoint.h"

#include <zmq.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "protocol/zmq_options.h"

namespace allot {
namespace {

// Where libzmq sends ZAP requests (RFC 27): one handler per context.
constexpr char kZapEndpoint[] = "inproc://zeromq.zap.01";

// Receives one whole multi-frame message; false when the context is shutting down.
bool ReceiveFrames(void* socket, std::vector<std::string>* frames) {
  frames->clear();
  while (true) {
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    if (zmq_msg_recv(&msg, socket, 0) < 0) {
      int err = errno;
      zmq_msg_close(&msg);
      if (err == EINTR && frames->empty()) continue;
      return false;
    }
    frames->emplace_back(static_cast<const char*>(zmq_msg_data(&msg)), zmq_msg_size(&msg));
    bool more = zmq_msg_more(&msg);
    zmq_msg_close(&msg);
    if (!more) return true;
  }
}

bool SendFrames(void* socket, const std::vector<std::string>& frames) {
  for (size_t i = 0; i < frames.size(); ++i) {
    int flags = i + 1 < frames.size() ? ZMQ_SNDMORE : 0;
    while (zmq_send(socket, frames[i].data(), frames[i].size(), flags) < 0) {
      if (errno != EINTR) return false;
    }
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<ServerEndpoint>> ServerEndpoint::Create(const AccessFile& access,
                                                               const std::string& bind_endpoint) {
  if (!zmq_has("curve")) return Status::Internal("this libzmq was built without CURVE support");
  ALLOT_ASSIGN_OR_RETURN(std::string allowed,
                         DecodeZ85Key(access.client_public_key, "client_public_key"));
  ALLOT_RETURN_IF_ERROR(DecodeZ85Key(access.server_secret_key, "server_secret_key").status());

  void* context = zmq_ctx_new();
  if (context == nullptr) return ErrnoStatus("zmq_ctx_new", errno);
  void* zap = zmq_socket(context, ZMQ_REP);
  void* router = zap != nullptr ? zmq_socket(context, ZMQ_ROUTER) : nullptr;
  Status bound = Status::Ok();
  if (router == nullptr) {
    bound = ErrnoStatus("zmq_socket", errno);
  } else if (bound = SetIntOption(zap, ZMQ_LINGER, 0);
             bound.ok() && zmq_bind(zap, kZapEndpoint) != 0) {
    bound = ErrnoStatus(std::string("cannot bind the ZAP handler at ") + kZapEndpoint, errno);
  }
  if (!bound.ok()) {
    if (router != nullptr) zmq_close(router);
    if (zap != nullptr) zmq_close(zap);
    zmq_ctx_term(context);
    return bound;
  }
  // From here the endpoint owns the context and sockets: its destructor cleans up any failure.
  std::unique_ptr<ServerEndpoint> endpoint(new ServerEndpoint(context, router, zap));
  endpoint->zap_thread_ = std::thread(&ServerEndpoint::ServeZap, zap, std::move(allowed));

  ALLOT_RETURN_IF_ERROR(SetIntOption(router, ZMQ_LINGER, 0));
  ALLOT_RETURN_IF_ERROR(SetIntOption(router, ZMQ_ROUTER_MANDATORY, 1));
  ALLOT_RETURN_IF_ERROR(SetIntOption(router, ZMQ_ROUTER_HANDOVER, 1));
  ALLOT_RETURN_IF_ERROR(SetIntOption(router, ZMQ_SNDHWM, kHighWaterMark));
  ALLOT_RETURN_IF_ERROR(SetIntOption(router, ZMQ_RCVHWM, kHighWaterMark));
  ALLOT_RETURN_IF_ERROR(SetIntOption(router, ZMQ_CURVE_SERVER, 1));
  ALLOT_RETURN_IF_ERROR(SetStringOption(router, ZMQ_CURVE_SECRETKEY, access.server_secret_key));
  ALLOT_RETURN_IF_ERROR(SetStringOption(router, ZMQ_ZAP_DOMAIN, "allot"));
  if (zmq_bind(router, bind_endpoint.c_str()) != 0) {
    return Status::IoError("cannot bind the worker endpoint " + bind_endpoint + ": " +
                           zmq_strerror(errno));
  }
  char last[256] = {0};
  size_t size = sizeof(last);
  if (zmq_getsockopt(router, ZMQ_LAST_ENDPOINT, last, &size) != 0) {
    return ErrnoStatus("zmq_getsockopt(ZMQ_LAST_ENDPOINT)", errno);
  }
  endpoint->bound_endpoint_ = last;
  const char* colon = std::strrchr(last, ':');
  endpoint->port_ = colon != nullptr ? std::atoi(colon + 1) : 0;
  return endpoint;
}

ServerEndpoint::ServerEndpoint(void* context, void* socket, void* zap_socket)
    : context_(context), socket_(socket) {}

ServerEndpoint::~ServerEndpoint() {
  zmq_close(socket_);
  // Makes the ZAP thread's blocking receive fail with ETERM; it closes its socket and returns.
  zmq_ctx_shutdown(context_);
  if (zap_thread_.joinable()) zap_thread_.join();
  zmq_ctx_term(context_);
}

// Answers every ZAP request: 200 for CURVE with the allowed client key, 400 for anything else.
void ServerEndpoint::ServeZap(void* zap_socket, std::string allowed_key) {
  std::vector<std::string> request;
  while (ReceiveFrames(zap_socket, &request)) {
    // version, request id, domain, address, routing id, mechanism, credentials...
    bool admit = request.size() == 7 && request[0] == "1.0" && request[5] == "CURVE" &&
                 request[6] == allowed_key;
    std::string request_id = request.size() > 1 ? request[1] : "";
    std::vector<std::string> reply = {"1.0",
                                      request_id,
                                      admit ? "200" : "400",
                                      admit ? "OK" : "not an allot worker key",
                                      admit ? "worker" : "",
                                      ""};
    if (!SendFrames(zap_socket, reply)) break;
  }
  zmq_close(zap_socket);
}

bool ServerEndpoint::Receive(std::string* peer, std::string* payload) {
  zmq_msg_t msg;
  zmq_msg_init(&msg);
  if (zmq_msg_recv(&msg, socket_, ZMQ_DONTWAIT) < 0) {
    zmq_msg_close(&msg);
    return false;
  }
  peer->assign(static_cast<const char*>(zmq_msg_data(&msg)), zmq_msg_size(&msg));
  payload->clear();
  bool more = zmq_msg_more(&msg);
  for (int part = 0; more; ++part) {
    // The rest of a multi-frame message is already here: ZeroMQ delivers messages whole.
    if (zmq_msg_recv(&msg, socket_, ZMQ_DONTWAIT) < 0) break;
    if (part == 0)
      payload->assign(static_cast<const char*>(zmq_msg_data(&msg)), zmq_msg_size(&msg));
    more = zmq_msg_more(&msg);
  }
  zmq_msg_close(&msg);
  return true;
}

Status ServerEndpoint::Send(const std::string& peer, const std::string& payload) {
  if (zmq_send(socket_, peer.data(), peer.size(), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
    int err = errno;
    if (err == EHOSTUNREACH) return Status::NotFound("no worker named " + peer + " is connected");
    if (err == EAGAIN) return Status::Unavailable("the send queue to worker " + peer + " is full");
    return Status::IoError("cannot send to worker " + peer + ": " + zmq_strerror(err));
  }
  if (zmq_send(socket_, payload.data(), payload.size(), ZMQ_DONTWAIT) < 0) {
    return Status::IoError("cannot send to worker " + peer + ": " + zmq_strerror(errno));
  }
  return Status::Ok();
}

}  // namespace allot
