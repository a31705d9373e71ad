#include "core/resource_pool.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "common/rng.h"
#include "testing/test_machines.h"

namespace allot {
namespace {

using ::testing::ElementsAre;

ResourceRequest Request(int cores, int64_t memory = 0, int gpus = 0,
                        std::map<std::string, int64_t> custom = {}) {
  ResourceRequest r;
  r.cores = {cores, cores};
  r.memory_bytes = memory;
  r.gpus = gpus;
  r.custom = std::move(custom);
  return r;
}

std::set<int> Nodes(const Machine& m, const std::vector<int>& cpus) {
  std::set<int> nodes;
  for (int id : cpus) {
    for (const Cpu& c : m.cpus) {
      if (c.os_index == id) nodes.insert(c.numa_node);
    }
  }
  return nodes;
}

TEST(ResourcePoolTest, StartsWithEverythingFree) {
  ResourcePool pool(FlatMachine(4, 8 * kGiB, 2, {{"lic", 3}}));
  EXPECT_EQ(pool.free().cores, 4);
  EXPECT_EQ(pool.free().memory_bytes, 8 * kGiB);
  EXPECT_EQ(pool.free().gpus, 2);
  EXPECT_EQ(pool.free().custom.at("lic"), 3);
  EXPECT_EQ(pool.Capacity().cores, 4);
}

TEST(ResourcePoolTest, CouldEverFitChecksEveryKindAtMinimumCores) {
  ResourcePool pool(FlatMachine(4, 8 * kGiB, 1, {{"lic", 1}}));
  EXPECT_TRUE(pool.CouldEverFit(Request(4, 8 * kGiB, 1, {{"lic", 1}})));
  EXPECT_FALSE(pool.CouldEverFit(Request(5)));
  EXPECT_FALSE(pool.CouldEverFit(Request(1, 8 * kGiB + 1)));
  EXPECT_FALSE(pool.CouldEverFit(Request(1, 0, 2)));
  EXPECT_FALSE(pool.CouldEverFit(Request(1, 0, 0, {{"lic", 2}})));
  EXPECT_FALSE(pool.CouldEverFit(Request(1, 0, 0, {{"other", 1}})));
  ResourceRequest elastic = Request(2);
  elastic.cores.max = 100;
  EXPECT_TRUE(pool.CouldEverFit(elastic));
}

TEST(ResourcePoolTest, AllocateTakesExactIdsAndReleaseGivesThemBack) {
  ResourcePool pool(FlatMachine(4, 8 * kGiB, 2, {{"lic", 3}}));
  Allocation a = pool.Allocate(Request(3, 2 * kGiB, 1, {{"lic", 2}}), 3);
  EXPECT_THAT(a.cpus, ElementsAre(0, 1, 2));
  EXPECT_THAT(a.gpus, ElementsAre(0));
  EXPECT_EQ(a.memory_bytes, 2 * kGiB);
  EXPECT_EQ(a.custom.at("lic"), 2);
  EXPECT_EQ(pool.free().cores, 1);
  EXPECT_EQ(pool.free().memory_bytes, 6 * kGiB);
  EXPECT_EQ(pool.free().gpus, 1);
  EXPECT_EQ(pool.free().custom.at("lic"), 1);
  Allocation b = pool.Allocate(Request(1, 0, 1), 1);
  EXPECT_THAT(b.cpus, ElementsAre(3));
  EXPECT_THAT(b.gpus, ElementsAre(1));
  pool.Release(a);
  EXPECT_EQ(pool.free().cores, 3);
  EXPECT_EQ(pool.free().custom.at("lic"), 3);
  Allocation c = pool.Allocate(Request(3), 3);
  EXPECT_THAT(c.cpus, ElementsAre(0, 1, 2));
}

TEST(ResourcePoolTest, GpuIdsComeFromTheMachineNotPositions) {
  Machine m = FlatMachine(2);
  m.gpus = {4, 7};
  ResourcePool pool(m);
  Allocation a = pool.Allocate(Request(1, 0, 2), 1);
  EXPECT_THAT(a.gpus, ElementsAre(4, 7));
  pool.Release(a);
  EXPECT_EQ(pool.free().gpus, 2);
}

TEST(ResourcePoolTest, FitsInComparesEveryKind) {
  ResourceAmounts free{2, 4 * kGiB, 1, {{"lic", 1}}};
  EXPECT_TRUE(ResourcePool::FitsIn(Request(2, 4 * kGiB, 1, {{"lic", 1}}), 2, free));
  EXPECT_FALSE(ResourcePool::FitsIn(Request(2), 3, free));
  EXPECT_FALSE(ResourcePool::FitsIn(Request(1, 4 * kGiB + 1), 1, free));
  EXPECT_FALSE(ResourcePool::FitsIn(Request(1, 0, 2), 1, free));
  EXPECT_FALSE(ResourcePool::FitsIn(Request(1, 0, 0, {{"lic", 2}}), 1, free));
  EXPECT_FALSE(ResourcePool::FitsIn(Request(1, 0, 0, {{"x", 1}}), 1, free));
}

TEST(ResourcePoolTest, PicksOneNumaNodeWhenOneHasEnough) {
  const Machine m = NumaMachine(1, 2, 4);  // node 0: 0 2 4 6, node 1: 1 3 5 7
  ResourcePool pool(m);
  Allocation one = pool.Allocate(Request(1), 1);
  EXPECT_THAT(one.cpus, ElementsAre(0));
  Allocation four = pool.Allocate(Request(4), 4);
  EXPECT_THAT(four.cpus, ElementsAre(1, 3, 5, 7));
  Allocation three = pool.Allocate(Request(3), 3);
  EXPECT_THAT(three.cpus, ElementsAre(2, 4, 6));
  EXPECT_EQ(pool.free().cores, 0);
}

TEST(ResourcePoolTest, PrefersTheFullestNodeThatFits) {
  const Machine m = NumaMachine(1, 3, 4);
  ResourcePool pool(m);
  Allocation a = pool.Allocate(Request(3), 3);  // node 0 keeps 1
  Allocation b = pool.Allocate(Request(2), 2);  // node 1 keeps 2
  Allocation c = pool.Allocate(Request(2), 2);  // best fit: node 1 (2 free), not node 2 (4)
  EXPECT_EQ(Nodes(m, c.cpus), Nodes(m, b.cpus));
  Allocation d = pool.Allocate(Request(4), 4);
  EXPECT_EQ(Nodes(m, d.cpus).size(), 1u) << "node 2 was kept whole";
}

TEST(ResourcePoolTest, ClaimTakesARecordedAllocationOnlyWhenAllOfItIsFree) {
  ResourcePool pool(FlatMachine(4, 8 * kGiB, 2, {{"lic", 1}}));
  Allocation recorded{{1, 2}, {1}, 2 * kGiB, {{"lic", 1}}};
  EXPECT_TRUE(pool.Claim(recorded));
  EXPECT_EQ(pool.free().cores, 2);
  EXPECT_EQ(pool.free().gpus, 1);
  EXPECT_EQ(pool.free().custom.at("lic"), 0);
  Allocation overlapping{{2, 3}, {}, 0, {}};
  EXPECT_FALSE(pool.Claim(overlapping));
  EXPECT_EQ(pool.free().cores, 2) << "a refused claim takes nothing";
  EXPECT_FALSE(pool.Claim(Allocation{{9}, {}, 0, {}})) << "no CPU 9";
  EXPECT_FALSE(pool.Claim(Allocation{{0}, {1}, 0, {}})) << "GPU 1 is taken";
  EXPECT_FALSE(pool.Claim(Allocation{{0}, {}, 0, {{"lic", 1}}}));
  Allocation next = pool.Allocate(Request(2), 2);
  EXPECT_THAT(next.cpus, ElementsAre(0, 3));
  pool.Release(recorded);
  EXPECT_EQ(pool.free().cores, 2);
}

// Random allocate/release sequences: ids stay unique, free amounts stay exact.
TEST(ResourcePoolTest, RandomAllocationsNeverHandOutACpuOrGpuTwice) {
  const Machine m = NumaMachine(2, 2, 4);
  for (uint64_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    SplitMixRng rng(seed);
    Machine with_gpus = m;
    with_gpus.gpus = {0, 1, 2};
    ResourcePool pool(with_gpus);
    std::vector<Allocation> held;
    for (int step = 0; step < 2000; ++step) {
      if (!held.empty() && rng.Uniform(2) == 0) {
        size_t i = rng.Uniform(held.size());
        pool.Release(held[i]);
        held.erase(held.begin() + static_cast<long>(i));
      } else {
        ResourceRequest r =
            Request(1 + static_cast<int>(rng.Uniform(6)), 0, static_cast<int>(rng.Uniform(2)));
        if (!ResourcePool::FitsIn(r, r.cores.min, pool.free())) continue;
        held.push_back(pool.Allocate(r, r.cores.min));
        EXPECT_EQ(held.back().cpus.size(), static_cast<size_t>(r.cores.min));
      }
      std::set<int> cpus, gpus;
      for (const Allocation& a : held) {
        for (int c : a.cpus) ASSERT_TRUE(cpus.insert(c).second) << "CPU " << c << " twice";
        for (int g : a.gpus) ASSERT_TRUE(gpus.insert(g).second) << "GPU " << g << " twice";
      }
      ASSERT_EQ(pool.free().cores, 16 - static_cast<int>(cpus.size()));
      ASSERT_EQ(pool.free().gpus, 3 - static_cast<int>(gpus.size()));
    }
  }
}

}  // namespace
}  // namespace allot
