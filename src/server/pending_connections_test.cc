// PendingConnections over real socket pairs: which connection a new one pushes out, seen from
// the client's end (end of stream), and that removed connections are never touched.
#include "server/pending_connections.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

#include <gtest/gtest.h>

namespace allot {
namespace {

// One connected pair: `server` is what PendingConnections gets, `client` the other end.
struct Pair {
  Pair() {
    int fds[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    server = fds[0];
    client = fds[1];
  }
  Pair(const Pair&) = delete;
  Pair& operator=(const Pair&) = delete;
  ~Pair() {
    close(server);
    close(client);
  }
  // The server end was shut down: the client sees the end of the stream at once.
  bool ShutDown() const {
    pollfd p = {client, POLLIN, 0};
    if (poll(&p, 1, 0) != 1) return false;
    char c;
    return recv(client, &c, 1, MSG_DONTWAIT) == 0;
  }
  int server;
  int client;
};

TEST(PendingConnectionsTest, OverThePerAddressCapTheOldestOfThatAddressIsShutDown) {
  PendingConnections pending(10, 2);
  Pair a1, a2, b1, a3;
  pending.Admit(a1.server, "10.0.0.1");
  pending.Admit(a2.server, "10.0.0.1");
  pending.Admit(b1.server, "10.0.0.2");
  EXPECT_FALSE(a1.ShutDown());
  pending.Admit(a3.server, "10.0.0.1");
  EXPECT_TRUE(a1.ShutDown());
  EXPECT_FALSE(a2.ShutDown());
  EXPECT_FALSE(b1.ShutDown());
  EXPECT_FALSE(a3.ShutDown());
  EXPECT_EQ(pending.size(), 3u);
}

TEST(PendingConnectionsTest, OverTheTotalCapTheOldestOverallIsShutDown) {
  PendingConnections pending(3, 3);
  Pair a, b, c, d;
  pending.Admit(a.server, "10.0.0.1");
  pending.Admit(b.server, "10.0.0.2");
  pending.Admit(c.server, "10.0.0.3");
  pending.Admit(d.server, "10.0.0.4");
  EXPECT_TRUE(a.ShutDown());
  EXPECT_FALSE(b.ShutDown());
  EXPECT_FALSE(c.ShutDown());
  EXPECT_FALSE(d.ShutDown());
  EXPECT_EQ(pending.size(), 3u);
}

TEST(PendingConnectionsTest, RemovedConnectionsAreNeverShutDownAndFreeTheirPlace) {
  PendingConnections pending(2, 2);
  Pair a, b, c, d;
  PendingConnections::Id ida = pending.Admit(a.server, "10.0.0.1");
  pending.Admit(b.server, "10.0.0.1");
  pending.Remove(ida);  // authenticated
  pending.Remove(ida);  // idempotent
  pending.Admit(c.server, "10.0.0.1");
  EXPECT_FALSE(a.ShutDown());
  EXPECT_FALSE(b.ShutDown());
  pending.Admit(d.server, "10.0.0.1");
  EXPECT_FALSE(a.ShutDown());
  EXPECT_TRUE(b.ShutDown());
  EXPECT_FALSE(c.ShutDown());
  EXPECT_EQ(pending.size(), 2u);
}

TEST(PendingConnectionsTest, PushedOutConnectionsAreNoLongerCounted) {
  PendingConnections pending(1, 1);
  std::vector<Pair> pairs(5);
  std::vector<PendingConnections::Id> ids;
  for (Pair& p : pairs) ids.push_back(pending.Admit(p.server, "10.0.0.1"));
  for (size_t i = 0; i + 1 < pairs.size(); ++i) EXPECT_TRUE(pairs[i].ShutDown()) << i;
  EXPECT_FALSE(pairs.back().ShutDown());
  for (PendingConnections::Id id : ids) pending.Remove(id);
  EXPECT_EQ(pending.size(), 0u);
}

}  // namespace
}  // namespace allot
