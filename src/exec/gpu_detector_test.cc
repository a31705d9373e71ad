#include "exec/gpu_detector.h"

#include <gtest/gtest.h>

namespace allot {
namespace {

using Ids = std::vector<int>;

TEST(GpusFromCudaVisibleDevicesTest, UnsetMeansAskNvml) {
  EXPECT_EQ(GpusFromCudaVisibleDevices(nullptr), std::nullopt);
}

TEST(GpusFromCudaVisibleDevicesTest, KeepsIntegerIdsAsGiven) {
  EXPECT_EQ(GpusFromCudaVisibleDevices("0,1"), Ids({0, 1}));
  EXPECT_EQ(GpusFromCudaVisibleDevices(" 2, 3 "), Ids({2, 3}));
  EXPECT_EQ(GpusFromCudaVisibleDevices("5"), Ids({5}));
}

TEST(GpusFromCudaVisibleDevicesTest, NumbersUuidsFromZero) {
  EXPECT_EQ(GpusFromCudaVisibleDevices("GPU-8f6b1b5e-aaaa,GPU-1234"), Ids({0, 1}));
  EXPECT_EQ(GpusFromCudaVisibleDevices("MIG-abc"), Ids({0}));
}

TEST(GpusFromCudaVisibleDevicesTest, SelectsNothingWhenEmptyOrDisabled) {
  EXPECT_EQ(GpusFromCudaVisibleDevices(""), Ids());
  EXPECT_EQ(GpusFromCudaVisibleDevices("-1"), Ids());
  EXPECT_EQ(GpusFromCudaVisibleDevices("NoDevFiles"), Ids());
}

TEST(GpusFromCudaVisibleDevicesTest, StopsAtTheFirstInvalidEntryAsCudaDoes) {
  EXPECT_EQ(GpusFromCudaVisibleDevices("0,1,-1,2"), Ids({0, 1}));
  EXPECT_EQ(GpusFromCudaVisibleDevices("0,x,2"), Ids({0}));
  EXPECT_EQ(GpusFromCudaVisibleDevices("0,,2"), Ids({0}));
  EXPECT_EQ(GpusFromCudaVisibleDevices("GPU-a,3"), Ids({0}));
}

TEST(GpusFromCudaVisibleDevicesTest, DropsDuplicates) {
  EXPECT_EQ(GpusFromCudaVisibleDevices("1,1,0"), Ids({1, 0}));
}

}  // namespace
}  // namespace allot
