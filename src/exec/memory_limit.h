// Usable memory: physical memory, capped by the memory limit of this process's cgroup and of
// its ancestors (cgroup v2 memory.max, v1 memory.limit_in_bytes; hybrid hierarchies read both).
// The parsing is pure and takes the files' text, so tests feed it made-up hierarchies.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace allot {

// One line of /proc/<pid>/cgroup: "hierarchy-id:controller,list:/path".
struct CgroupMembership {
  int hierarchy = 0;                     // 0 for cgroup v2
  std::vector<std::string> controllers;  // empty for v2; "name=systemd"-style kept as is
  std::string path;
};
std::vector<CgroupMembership> ParseProcCgroup(std::string_view text);

// A cgroup file system from /proc/<pid>/mountinfo.
struct CgroupMount {
  bool v2 = false;
  std::string root;                      // the cgroup directory mounted (usually "/")
  std::string mount_point;               // where it is mounted
  std::vector<std::string> controllers;  // v1: from the super options (e.g. "memory")
};
std::vector<CgroupMount> ParseCgroupMounts(std::string_view mountinfo);

// "max" (v2 unlimited) and unparsable text: nullopt. v1's "unlimited" is a huge number and is
// returned as is (the caller takes the minimum with physical memory).
std::optional<int64_t> ParseMemoryLimitValue(std::string_view text);

// Reads a whole file; nullopt when it cannot be read.
using FileReader = std::function<std::optional<std::string>(const std::string& path)>;

// The smallest memory limit on this process's cgroups and their ancestors, or nullopt when
// none is set or the files cannot be read. `read` is asked for /proc/self/cgroup,
// /proc/self/mountinfo and the limit files.
std::optional<int64_t> CgroupMemoryLimit(const FileReader& read);

// Reads real files.
std::optional<std::string> ReadWholeFile(const std::string& path);

// Physical memory (sysconf), capped by CgroupMemoryLimit(ReadWholeFile).
int64_t UsableMemoryBytes();

}  // namespace allot
