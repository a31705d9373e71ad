#include "exec/cpu_topology.h"

#include <gtest/gtest.h>

namespace allot {
namespace {

TEST(SortInTopologyOrderTest, OrdersByPackageNodeCoreThenOsIndex) {
  // Two packages, hyperthreads numbered the Intel way (0-3 first threads, 4-7 siblings).
  std::vector<Cpu> cpus = {{4, 0, 0, 0}, {1, 0, 0, 1}, {6, 1, 1, 2}, {2, 1, 1, 2},
                           {0, 0, 0, 0}, {5, 0, 0, 1}, {3, 1, 1, 3}, {7, 1, 1, 3}};
  SortInTopologyOrder(&cpus);
  std::vector<int> order;
  for (const Cpu& cpu : cpus) order.push_back(cpu.os_index);
  EXPECT_EQ(order, (std::vector<int>{0, 4, 1, 5, 2, 6, 3, 7}));
}

}  // namespace
}  // namespace allot
