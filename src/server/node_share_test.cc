#include "server/node_share.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace allot {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kGiB = int64_t{1} << 30;

// A node of `cpus` CPUs (os ids 0..cpus-1, two per core) and `memory`.
NodeResources Node(int cpus, int64_t memory) {
  NodeResources node;
  node.name = "n1";
  for (int i = 0; i < cpus; ++i) node.cpus.push_back(Cpu{i, 0, 0, i / 2});
  node.memory_bytes = memory;
  return node;
}

// What `allot worker start --cores N [--memory M]` offers: the node's first N CPUs.
Machine Offer(const NodeResources& node, int cores, int64_t memory = 0) {
  Machine m;
  m.cpus.assign(node.cpus.begin(), node.cpus.begin() + cores);
  m.memory_bytes = memory > 0 ? memory : node.memory_bytes;
  m.gpus = {0};
  return m;
}

std::vector<int> Ids(const Machine& m) {
  std::vector<int> ids;
  for (const Cpu& c : m.cpus) ids.push_back(c.os_index);
  return ids;
}

TEST(ShareNodeTest, AWorkerAloneWithTheWholeNodeKeepsIt) {
  NodeResources node = Node(4, 8 * kGiB);
  auto given = ShareNode("w1", Offer(node, 4), node, {});
  ASSERT_TRUE(given.ok()) << given.status().ToString();
  EXPECT_EQ(*given, Offer(node, 4));
}

TEST(ShareNodeTest, AWorkerWithPartOfTheCpusClaimsTheirShareOfTheMemory) {
  NodeResources node = Node(4, 8 * kGiB);
  auto given = ShareNode("w1", Offer(node, 1), node, {});
  ASSERT_TRUE(given.ok()) << given.status().ToString();
  EXPECT_EQ(Ids(*given), std::vector<int>({0}));
  EXPECT_EQ(given->memory_bytes, 2 * kGiB);
  EXPECT_EQ(given->gpus, std::vector<int>({0}));  // passed through
}

TEST(ShareNodeTest, ASecondWorkerOfferingHeldCpusGetsTheFirstFreeOnes) {
  NodeResources node = Node(4, 8 * kGiB);
  std::vector<NodeTenant> others = {{"w1", {0}, 2 * kGiB}, {"w2", {2}, 2 * kGiB}};
  auto given = ShareNode("w3", Offer(node, 2), node, others);
  ASSERT_TRUE(given.ok()) << given.status().ToString();
  EXPECT_EQ(Ids(*given), std::vector<int>({1, 3}));
  EXPECT_EQ(given->cpus[1], node.cpus[3]);  // with its topology
  EXPECT_EQ(given->memory_bytes, 4 * kGiB);
}

TEST(ShareNodeTest, CpusNobodyHoldsAreKeptAsOffered) {
  NodeResources node = Node(4, 8 * kGiB);
  Machine offered = Offer(node, 1);
  offered.cpus = {node.cpus[3]};  // taskset'ed to CPU 3
  auto given = ShareNode("w2", offered, node, {{"w1", {0}, 2 * kGiB}});
  ASSERT_TRUE(given.ok()) << given.status().ToString();
  EXPECT_EQ(Ids(*given), std::vector<int>({3}));
}

TEST(ShareNodeTest, AWorkerWithoutCoresGetsEveryFreeCpuAndTheMemoryLeft) {
  NodeResources node = Node(4, 8 * kGiB);
  auto given = ShareNode("w2", Offer(node, 4), node, {{"w1", {0}, 2 * kGiB}});
  ASSERT_TRUE(given.ok()) << given.status().ToString();
  EXPECT_EQ(Ids(*given), std::vector<int>({1, 2, 3}));
  EXPECT_EQ(given->memory_bytes, 6 * kGiB);
}

TEST(ShareNodeTest, MemoryIsCappedToWhatTheOthersLeft) {
  NodeResources node = Node(4, 8 * kGiB);
  auto given = ShareNode("w2", Offer(node, 1, 5 * kGiB), node, {{"w1", {0}, 6 * kGiB}});
  ASSERT_TRUE(given.ok()) << given.status().ToString();
  EXPECT_EQ(given->memory_bytes, 2 * kGiB);
  // Less than what is left is kept as asked.
  given = ShareNode("w2", Offer(node, 1, kGiB), node, {{"w1", {0}, 6 * kGiB}});
  ASSERT_TRUE(given.ok()) << given.status().ToString();
  EXPECT_EQ(given->memory_bytes, kGiB);
}

TEST(ShareNodeTest, TooFewFreeCpusIsRefusedNamingTheOthersAndWhatTheyHold) {
  NodeResources node = Node(2, 4 * kGiB);
  std::vector<NodeTenant> others = {{"w1", {0}, 2 * kGiB}, {"w2", {1}, 2 * kGiB}};
  auto given = ShareNode("w3", Offer(node, 1), node, others);
  ASSERT_FALSE(given.ok());
  EXPECT_EQ(given.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(given.status().message(),
            "node n1 has no room for worker w3: it asks for 1 CPU, and 0 of the node's 2 are "
            "free; worker w1 holds CPU 0 and 2 GiB, worker w2 holds CPU 1 and 2 GiB");
  // A worker without --cores needs at least one free CPU.
  auto whole = ShareNode("w3", Offer(node, 2), node, others);
  ASSERT_FALSE(whole.ok());
  EXPECT_THAT(whole.status().message(), HasSubstr("it asks for at least 1 CPU, and 0 of"));
  // Three CPUs asked (not the whole node), two free.
  NodeResources four = Node(4, 4 * kGiB);
  auto three = ShareNode("w2", Offer(four, 3, kGiB), four, {{"w1", {0, 1}, kGiB}});
  ASSERT_FALSE(three.ok());
  EXPECT_THAT(three.status().message(),
              HasSubstr("it asks for 3 CPUs, and 2 of the node's 4 are free"));
}

TEST(ShareNodeTest, NoMemoryLeftIsRefused) {
  NodeResources node = Node(4, 8 * kGiB);
  auto given = ShareNode("w2", Offer(node, 1), node, {{"w1", {0}, 8 * kGiB}});
  ASSERT_FALSE(given.ok());
  EXPECT_EQ(given.status().message(),
            "node n1 has no room for worker w2: none of the node's 8 GiB memory is left; "
            "worker w1 holds CPU 0 and 8 GiB");
}

TEST(ShareNodeTest, TwoOneCoreWorkersOnATwoCpuNodeSplitIt) {
  // Issue 11 point 2: both used to get CPU 0 and the whole memory.
  NodeResources node = Node(2, 4 * kGiB);
  auto first = ShareNode("w1", Offer(node, 1), node, {});
  ASSERT_TRUE(first.ok());
  auto second = ShareNode("w2", Offer(node, 1), node,
                          {{"w1", Ids(*first), first->memory_bytes}});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(Ids(*first), std::vector<int>({0}));
  EXPECT_EQ(Ids(*second), std::vector<int>({1}));
  EXPECT_EQ(first->memory_bytes + second->memory_bytes, 4 * kGiB);
}

}  // namespace
}  // namespace allot
