// The server's book of remote workers: ids never reused, lookup by id, name or reference,
// departures kept for `allot workers`, and silence measured on the injected time.
#include "server/worker_registry.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace allot {
namespace {

TimePoint At(int seconds) { return TimePoint(std::chrono::seconds(seconds)); }

TEST(WorkerRegistryTest, IdsAreNeverReusedEvenWhenAWorkerComesBack) {
  WorkerRegistry r;
  WorkerId first = r.NextId();
  r.Add(first, "node1-100");
  r.Remove("node1-100", "gone", "stopped", ResourceAmounts{});
  WorkerId again = r.NextId();
  r.Add(again, "node1-100");
  EXPECT_NE(first, again);
  ASSERT_NE(r.Find("node1-100"), nullptr);
  EXPECT_EQ(r.Find("node1-100")->id, again);
  EXPECT_EQ(r.Find(first), nullptr);
  EXPECT_EQ(r.Find(again), r.Find("node1-100"));
}

TEST(WorkerRegistryTest, TenantsOfANodeAreItsConnectedWorkersWithWhatTheyWereGiven) {
  WorkerRegistry r;
  auto add = [&](const std::string& name, const std::string& node, int cpu, int64_t memory) {
    WorkerPeer& p = r.Add(r.NextId(), name);
    p.node_name = node;
    p.machine.cpus = {Cpu{cpu, 0, 0, cpu}};
    p.machine.memory_bytes = memory;
  };
  add("a", "n1", 0, 100);
  add("b", "n2", 0, 200);
  add("c", "n1", 1, 300);
  add("old", "", 0, 400);  // an older worker: no node
  std::vector<NodeTenant> n1 = r.TenantsOf("n1");
  ASSERT_EQ(n1.size(), 2u);
  EXPECT_EQ(n1[0].worker, "a");
  EXPECT_EQ(n1[0].cpus, std::vector<int>({0}));
  EXPECT_EQ(n1[0].memory_bytes, 100);
  EXPECT_EQ(n1[1].worker, "c");
  EXPECT_EQ(n1[1].cpus, std::vector<int>({1}));
  EXPECT_TRUE(r.TenantsOf("").empty());
  r.Remove("a", "gone", "stopped", ResourceAmounts{});
  EXPECT_EQ(r.TenantsOf("n1").size(), 1u);
}

TEST(WorkerRegistryTest, AReferenceIsAnIdInDecimalOrAName) {
  WorkerRegistry r;
  WorkerId a = r.NextId();
  r.Add(a, "alpha");
  WorkerId b = r.NextId();
  r.Add(b, "beta");
  ASSERT_NE(r.FindByRef(std::to_string(b)), nullptr);
  EXPECT_EQ(r.FindByRef(std::to_string(b))->name, "beta");
  ASSERT_NE(r.FindByRef("alpha"), nullptr);
  EXPECT_EQ(r.FindByRef("alpha")->id, a);
  EXPECT_EQ(r.FindByRef("gamma"), nullptr);
  EXPECT_EQ(r.FindByRef("99"), nullptr);
}

TEST(WorkerRegistryTest, ALostWorkerMovesToThePastWithWhatItOffered) {
  WorkerRegistry r;
  WorkerId id = r.NextId();
  WorkerPeer& p = r.Add(id, "n2");
  p.host = "node2";
  p.joined_us = 10;
  p.last_seen_us = 20;
  ResourceAmounts offered;
  offered.cores = 8;
  offered.memory_bytes = int64_t{16} << 30;
  offered.gpus = 2;
  r.Remove("n2", "lost", "silent for 30 s", offered);
  EXPECT_TRUE(r.peers().empty());
  EXPECT_EQ(r.Find(id), nullptr);
  ASSERT_EQ(r.past().size(), 1u);
  const PastWorker& past = r.past().front();
  EXPECT_EQ(past.id, id);
  EXPECT_EQ(past.name, "n2");
  EXPECT_EQ(past.host, "node2");
  EXPECT_EQ(past.state, "lost");
  EXPECT_EQ(past.reason, "silent for 30 s");
  EXPECT_EQ(past.cores, 8);
  EXPECT_EQ(past.memory, int64_t{16} << 30);
  EXPECT_EQ(past.gpus, 2);
  EXPECT_EQ(past.joined_us, 10);
  EXPECT_EQ(past.last_seen_us, 20);
}

TEST(WorkerRegistryTest, RemovingAnUnknownNameChangesNothing) {
  WorkerRegistry r;
  r.Add(r.NextId(), "here");
  r.Remove("elsewhere", "gone", "", ResourceAmounts{});
  EXPECT_EQ(r.peers().size(), 1u);
  EXPECT_TRUE(r.past().empty());
}

TEST(WorkerRegistryTest, SilenceIsMeasuredFromEachWorkersLastMessage) {
  WorkerRegistry r;
  EXPECT_FALSE(r.NextSilence(std::chrono::seconds(30)).has_value());
  r.Add(r.NextId(), "early").last_seen = At(100);
  r.Add(r.NextId(), "late").last_seen = At(110);
  const Duration timeout = std::chrono::seconds(30);
  // The first moment `early` counts as silent: just past its timeout.
  EXPECT_EQ(r.NextSilence(timeout), At(130) + std::chrono::microseconds(1));
  EXPECT_TRUE(r.Silent(At(130), timeout).empty());  // silent for exactly the timeout: not yet
  EXPECT_EQ(r.Silent(At(131), timeout), std::vector<std::string>{"early"});
  std::vector<std::string> both = r.Silent(At(200), timeout);
  std::sort(both.begin(), both.end());
  EXPECT_EQ(both, (std::vector<std::string>{"early", "late"}));
}

}  // namespace
}  // namespace allot
