#include "exec/memory_limit.h"

#include <gtest/gtest.h>

#include <map>

namespace allot {
namespace {

constexpr int64_t kGiB = int64_t{1} << 30;

// A made-up file system for CgroupMemoryLimit.
class FakeFiles {
 public:
  void Set(const std::string& path, const std::string& text) { files_[path] = text; }
  FileReader Reader() const {
    return [this](const std::string& path) -> std::optional<std::string> {
      auto it = files_.find(path);
      if (it == files_.end()) return std::nullopt;
      return it->second;
    };
  }

 private:
  std::map<std::string, std::string> files_;
};

constexpr char kHybridMountinfo[] =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

TEST(ParseProcCgroupTest, ReadsV1AndV2Lines) {
  auto lines = ParseProcCgroup("4:memory:/jobs/42\n2:cpu,cpuacct:/\n0::/user.slice/x\n");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].hierarchy, 4);
  EXPECT_EQ(lines[0].controllers, std::vector<std::string>{"memory"});
  EXPECT_EQ(lines[0].path, "/jobs/42");
  EXPECT_EQ(lines[1].controllers, (std::vector<std::string>{"cpu", "cpuacct"}));
  EXPECT_EQ(lines[2].hierarchy, 0);
  EXPECT_TRUE(lines[2].controllers.empty());
  EXPECT_EQ(lines[2].path, "/user.slice/x");
}

TEST(ParseCgroupMountsTest, FindsCgroupMountsWithRootsAndControllers) {
  auto mounts = ParseCgroupMounts(
      std::string(kHybridMountinfo) +
      "50 31 0:40 /kubepods/pod1 /sys/fs/cgroup/memory\\040x rw shared:9 - cgroup cgroup "
      "rw,memory\n");
  ASSERT_EQ(mounts.size(), 4u);
  EXPECT_FALSE(mounts[0].v2);
  EXPECT_EQ(mounts[1].mount_point, "/sys/fs/cgroup/memory");
  EXPECT_TRUE(mounts[2].v2);
  EXPECT_EQ(mounts[3].root, "/kubepods/pod1");
  EXPECT_EQ(mounts[3].mount_point, "/sys/fs/cgroup/memory x");
  EXPECT_EQ(mounts[3].controllers, (std::vector<std::string>{"rw", "memory"}));
}

TEST(ParseMemoryLimitValueTest, ReadsBytesAndUnlimited) {
  EXPECT_EQ(ParseMemoryLimitValue("1073741824\n"), kGiB);
  EXPECT_EQ(ParseMemoryLimitValue("max\n"), std::nullopt);
  EXPECT_EQ(ParseMemoryLimitValue(""), std::nullopt);
  EXPECT_EQ(ParseMemoryLimitValue("9223372036854771712"), int64_t{9223372036854771712});
}

TEST(CgroupMemoryLimitTest, ReadsTheV2LimitOfTheOwnCgroup) {
  FakeFiles files;
  files.Set("/proc/self/cgroup", "0::/job/step\n");
  files.Set("/proc/self/mountinfo",
            "25 1 0:22 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n");
  files.Set("/sys/fs/cgroup/job/step/memory.max", "max\n");
  files.Set("/sys/fs/cgroup/job/memory.max", "4294967296\n");
  EXPECT_EQ(CgroupMemoryLimit(files.Reader()), 4 * kGiB) << "an ancestor's limit applies";
}

TEST(CgroupMemoryLimitTest, TakesTheSmallestLimitUpTheTree) {
  FakeFiles files;
  files.Set("/proc/self/cgroup", "0::/a/b\n");
  files.Set("/proc/self/mountinfo", "25 1 0:22 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
  files.Set("/sys/fs/cgroup/a/b/memory.max", "3221225472\n");
  files.Set("/sys/fs/cgroup/a/memory.max", "8589934592\n");
  EXPECT_EQ(CgroupMemoryLimit(files.Reader()), 3 * kGiB);
}

TEST(CgroupMemoryLimitTest, ReadsTheV1LimitInAHybridHierarchy) {
  FakeFiles files;
  files.Set("/proc/self/cgroup", "4:memory:/process_api/abc\n1:cpu:/\n0::/\n");
  files.Set("/proc/self/mountinfo", kHybridMountinfo);
  files.Set("/sys/fs/cgroup/memory/process_api/abc/memory.limit_in_bytes", "2147483648\n");
  files.Set("/sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
  EXPECT_EQ(CgroupMemoryLimit(files.Reader()), 2 * kGiB);
}

TEST(CgroupMemoryLimitTest, NoLimitWhenUnlimitedOrUnreadable) {
  FakeFiles files;
  files.Set("/proc/self/cgroup", "0::/a\n");
  files.Set("/proc/self/mountinfo", "25 1 0:22 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
  files.Set("/sys/fs/cgroup/a/memory.max", "max\n");
  EXPECT_EQ(CgroupMemoryLimit(files.Reader()), std::nullopt);
  EXPECT_EQ(CgroupMemoryLimit(FakeFiles().Reader()), std::nullopt);
}

TEST(CgroupMemoryLimitTest, NamespacedPathOutsideTheMountReadsTheMountPoint) {
  FakeFiles files;
  files.Set("/proc/self/cgroup", "0::/\n");
  files.Set("/proc/self/mountinfo",
            "25 1 0:22 /docker/c1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
  files.Set("/sys/fs/cgroup/memory.max", "1073741824\n");
  EXPECT_EQ(CgroupMemoryLimit(files.Reader()), kGiB);
}

TEST(CgroupMemoryLimitTest, MapsPathsUnderANonRootMount) {
  FakeFiles files;
  files.Set("/proc/self/cgroup", "0::/docker/c1/inner\n");
  files.Set("/proc/self/mountinfo",
            "25 1 0:22 /docker/c1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
  files.Set("/sys/fs/cgroup/inner/memory.max", "1073741824\n");
  EXPECT_EQ(CgroupMemoryLimit(files.Reader()), kGiB);
}

}  // namespace
}  // namespace allot
