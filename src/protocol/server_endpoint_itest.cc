// ServerEndpoint and WorkerConnection over real ZeroMQ sockets on loopback: messages flow both
// ways with the access file's keys, and every client without them is refused.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zmq.h>

#include <chrono>
#include <optional>
#include <utility>

#include "protocol/server_endpoint.h"
#include "protocol/worker_connection.h"
#include "protocol/worker_messages.h"

namespace allot {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Far above anything a healthy loopback exchange needs.
constexpr auto kPatience = 30s;
// How long a refused client is given to get a message through anyway.
constexpr auto kRefusalWindow = 1s;

AccessFile Secrets() {
  auto secrets = NewAccessSecrets();
  EXPECT_TRUE(secrets.ok()) << secrets.status().ToString();
  return *secrets;
}

struct Received {
  std::string peer;
  std::string payload;
};

// The next message the endpoint receives within `patience`, polling its socket.
std::optional<Received> ReceiveWithin(ServerEndpoint* endpoint, Clock::duration patience) {
  auto deadline = Clock::now() + patience;
  Received r;
  while (!endpoint->Receive(&r.peer, &r.payload)) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    zmq_pollitem_t item = {endpoint->socket(), 0, ZMQ_POLLIN, 0};
    zmq_poll(&item, 1, static_cast<long>(left.count()));
  }
  return r;
}

std::optional<std::string> ReceiveWithin(WorkerConnection* connection, Clock::duration patience) {
  auto deadline = Clock::now() + patience;
  std::string payload;
  while (!connection->Receive(&payload)) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    zmq_pollitem_t item = {connection->socket(), 0, ZMQ_POLLIN, 0};
    zmq_poll(&item, 1, static_cast<long>(left.count()));
  }
  return payload;
}

// A server endpoint on an ephemeral loopback port, with the access file workers would read.
struct Server {
  AccessFile access;
  std::unique_ptr<ServerEndpoint> endpoint;

  explicit Server(AccessFile secrets, const std::string& bind = "tcp://127.0.0.1:0")
      : access(std::move(secrets)) {
    auto created = ServerEndpoint::Create(access, bind);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    if (!created.ok()) return;
    endpoint = std::move(*created);
    access.worker_endpoint = "tcp://127.0.0.1:" + std::to_string(endpoint->port());
  }
};

std::unique_ptr<WorkerConnection> Connect(const AccessFile& access, const std::string& name) {
  // Linger 0: what a refused client still queues is dropped at once when the test ends.
  auto connection = WorkerConnection::Create(access, name, std::chrono::milliseconds(0));
  EXPECT_TRUE(connection.ok()) << connection.status().ToString();
  return connection.ok() ? std::move(*connection) : nullptr;
}

// A raw DEALER in its own context, configured by the test (for clients allot would never build).
class RawDealer {
 public:
  RawDealer() : context_(zmq_ctx_new()), socket_(zmq_socket(context_, ZMQ_DEALER)) {
    int linger = 0;
    zmq_setsockopt(socket_, ZMQ_LINGER, &linger, sizeof(linger));
  }
  ~RawDealer() {
    zmq_close(socket_);
    zmq_ctx_term(context_);
  }
  void Option(int option, const std::string& value) {
    ASSERT_EQ(zmq_setsockopt(socket_, option, value.data(), value.size()), 0);
  }
  void IntOption(int option, int value) {
    ASSERT_EQ(zmq_setsockopt(socket_, option, &value, sizeof(value)), 0);
  }
  void ConnectAndSend(const std::string& endpoint, const std::string& payload) {
    ASSERT_EQ(zmq_connect(socket_, endpoint.c_str()), 0);
    ASSERT_GE(zmq_send(socket_, payload.data(), payload.size(), ZMQ_DONTWAIT), 0);
  }

 private:
  void* context_;
  void* socket_;
};

// Sends `good_name`'s heartbeat after the intruders have sent theirs, and checks that only the
// good one arrives, within a window long enough for many handshake attempts of the others.
void ExpectOnlyTheGoodWorkerGetsThrough(Server* server, const std::string& good_name) {
  auto good = Connect(server->access, good_name);
  ASSERT_NE(good, nullptr);
  ASSERT_TRUE(good->Send(Encode(HeartbeatMessage{})).ok());
  auto first = ReceiveWithin(server->endpoint.get(), kPatience);
  ASSERT_TRUE(first.has_value()) << "the good worker's message never arrived";
  EXPECT_EQ(first->peer, good_name);
  auto intruder = ReceiveWithin(server->endpoint.get(), kRefusalWindow);
  EXPECT_FALSE(intruder.has_value()) << "a message from " << intruder->peer << " got through";
}

TEST(ServerEndpointTest, MessagesFlowBothWaysWithTheAccessFileKeys) {
  Server server(Secrets());
  ASSERT_NE(server.endpoint, nullptr);
  EXPECT_GT(server.endpoint->port(), 0);
  auto worker = Connect(server.access, "node1:42:ab");
  ASSERT_NE(worker, nullptr);

  RegisterMessage hello;
  hello.name = "node1:42:ab";
  hello.pid = 42;
  ASSERT_TRUE(worker->Send(Encode(hello)).ok());
  auto received = ReceiveWithin(server.endpoint.get(), kPatience);
  ASSERT_TRUE(received.has_value());
  EXPECT_EQ(received->peer, "node1:42:ab");
  auto decoded = DecodeWorkerToServer(received->payload);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(std::get<RegisterMessage>(*decoded), hello);

  WelcomeMessage welcome{7, "instance-1", 10'000, "/tmp/out"};
  ASSERT_TRUE(server.endpoint->Send("node1:42:ab", Encode(welcome)).ok());
  auto answer = ReceiveWithin(worker.get(), kPatience);
  ASSERT_TRUE(answer.has_value());
  auto reply = DecodeServerToWorker(*answer);
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(std::get<WelcomeMessage>(*reply), welcome);
}

TEST(ServerEndpointTest, ManyWorkersAreToldApartByName) {
  Server server(Secrets());
  ASSERT_NE(server.endpoint, nullptr);
  std::vector<std::unique_ptr<WorkerConnection>> workers;
  for (int i = 0; i < 5; ++i) {
    workers.push_back(Connect(server.access, "w" + std::to_string(i)));
    ASSERT_TRUE(workers.back()->Send(Encode(GoodbyeMessage{"w" + std::to_string(i)})).ok());
  }
  for (int i = 0; i < 5; ++i) {
    auto received = ReceiveWithin(server.endpoint.get(), kPatience);
    ASSERT_TRUE(received.has_value());
    auto decoded = DecodeWorkerToServer(received->payload);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(std::get<GoodbyeMessage>(*decoded).reason, received->peer);
  }
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        server.endpoint->Send("w" + std::to_string(i), Encode(StopMessage{i % 2 == 1})).ok());
  }
  for (int i = 0; i < 5; ++i) {
    auto answer = ReceiveWithin(workers[i].get(), kPatience);
    ASSERT_TRUE(answer.has_value());
    auto stop = DecodeServerToWorker(*answer);
    ASSERT_TRUE(stop.ok());
    EXPECT_EQ(std::get<StopMessage>(*stop).kill, i % 2 == 1);
  }
}

TEST(ServerEndpointTest, AWorkerWithAnotherClientKeyPairIsRefused) {
  Server server(Secrets());
  ASSERT_NE(server.endpoint, nullptr);
  AccessFile other = Secrets();
  AccessFile stranger = server.access;  // the right server key, but its own client key pair
  stranger.client_public_key = other.client_public_key;
  stranger.client_secret_key = other.client_secret_key;
  auto intruder = Connect(stranger, "intruder");
  ASSERT_NE(intruder, nullptr);
  ASSERT_TRUE(intruder->Send(Encode(HeartbeatMessage{})).ok());

  ExpectOnlyTheGoodWorkerGetsThrough(&server, "good");
  // The server never saw a peer of that name, so it cannot even address one.
  EXPECT_EQ(server.endpoint->Send("intruder", Encode(StopMessage{})).code(), StatusCode::kNotFound);
}

TEST(ServerEndpointTest, AWorkerClaimingTheClientPublicKeyWithoutItsSecretIsRefused) {
  Server server(Secrets());
  ASSERT_NE(server.endpoint, nullptr);
  AccessFile forger = server.access;
  forger.client_secret_key = Secrets().client_secret_key;
  auto intruder = Connect(forger, "forger");
  ASSERT_NE(intruder, nullptr);
  ASSERT_TRUE(intruder->Send(Encode(HeartbeatMessage{})).ok());
  ExpectOnlyTheGoodWorkerGetsThrough(&server, "good");
}

TEST(ServerEndpointTest, AClientWithoutCurveKeysIsRefused) {
  Server server(Secrets());
  ASSERT_NE(server.endpoint, nullptr);
  // NULL mechanism: knows the endpoint and the server's public key, but has no client keys.
  RawDealer null_client;
  null_client.Option(ZMQ_ROUTING_ID, "null-client");
  null_client.ConnectAndSend(server.access.worker_endpoint, Encode(HeartbeatMessage{}));
  // PLAIN mechanism, with a user name and password.
  RawDealer plain_client;
  plain_client.Option(ZMQ_ROUTING_ID, "plain-client");
  plain_client.Option(ZMQ_PLAIN_USERNAME, "admin");
  plain_client.Option(ZMQ_PLAIN_PASSWORD, server.access.token);
  plain_client.ConnectAndSend(server.access.worker_endpoint, Encode(HeartbeatMessage{}));

  ExpectOnlyTheGoodWorkerGetsThrough(&server, "good");
  EXPECT_EQ(server.endpoint->Send("null-client", "x").code(), StatusCode::kNotFound);
  EXPECT_EQ(server.endpoint->Send("plain-client", "x").code(), StatusCode::kNotFound);
}

TEST(ServerEndpointTest, AServerWithAnotherKeyIsNotTrustedByTheWorker) {
  // The worker's access file names a different server key: the handshake fails on its side.
  Server server(Secrets());
  ASSERT_NE(server.endpoint, nullptr);
  AccessFile stale = server.access;
  stale.server_public_key = Secrets().server_public_key;
  auto worker = Connect(stale, "stale");
  ASSERT_NE(worker, nullptr);
  ASSERT_TRUE(worker->Send(Encode(HeartbeatMessage{})).ok());
  EXPECT_FALSE(ReceiveWithin(server.endpoint.get(), kRefusalWindow).has_value());
}

TEST(ServerEndpointTest, SendingToAWorkerThatNeverConnectedIsNotFound) {
  Server server(Secrets());
  ASSERT_NE(server.endpoint, nullptr);
  Status s = server.endpoint->Send("nobody", Encode(ReregisterMessage{}));
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "no worker named nobody is connected");
}

TEST(ServerEndpointTest, AWorkerReachesAServerRestartedOnTheSamePort) {
  AccessFile secrets = Secrets();
  auto first = std::make_unique<Server>(secrets);
  ASSERT_NE(first->endpoint, nullptr);
  AccessFile access = first->access;
  auto worker = Connect(access, "survivor");
  ASSERT_TRUE(worker->Send(Encode(HeartbeatMessage{})).ok());
  ASSERT_TRUE(ReceiveWithin(first->endpoint.get(), kPatience).has_value());
  std::string port = std::to_string(first->endpoint->port());
  first.reset();

  // Sent while no server listens: ZeroMQ keeps it and delivers it after reconnecting.
  ASSERT_TRUE(worker->Send(Encode(GoodbyeMessage{"after restart"})).ok());
  Server second(secrets, "tcp://127.0.0.1:" + port);
  ASSERT_NE(second.endpoint, nullptr);
  auto received = ReceiveWithin(second.endpoint.get(), kPatience);
  ASSERT_TRUE(received.has_value()) << "the worker did not reconnect";
  EXPECT_EQ(received->peer, "survivor");
  auto decoded = DecodeWorkerToServer(received->payload);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(std::get<GoodbyeMessage>(*decoded).reason, "after restart");
}

TEST(ServerEndpointTest, BindingAPortInUseNamesTheEndpoint) {
  Server server(Secrets());
  ASSERT_NE(server.endpoint, nullptr);
  std::string taken = "tcp://127.0.0.1:" + std::to_string(server.endpoint->port());
  auto second = ServerEndpoint::Create(server.access, taken);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kIoError);
  EXPECT_THAT(second.status().message(),
              ::testing::StartsWith("cannot bind the worker endpoint " + taken + ": "));
}

TEST(ServerEndpointTest, MalformedKeysAreInvalidArguments) {
  AccessFile access = Secrets();
  access.client_public_key = "not a key";
  auto endpoint = ServerEndpoint::Create(access, "tcp://127.0.0.1:0");
  ASSERT_FALSE(endpoint.ok());
  EXPECT_EQ(endpoint.status().message(), "client_public_key: not a 40-character Z85 CURVE key");
  auto connection = WorkerConnection::Create(access, "w");
  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(WorkerConnection::Create(Secrets(), "").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace allot
