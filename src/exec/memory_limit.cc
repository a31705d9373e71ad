#include "exec/memory_limit.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

namespace allot {
namespace {

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string Unescape(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size()) {
      int value = 0;
      auto [end, ec] = std::from_chars(text.data() + i + 1, text.data() + i + 4, value, 8);
      if (ec == std::errc() && end == text.data() + i + 4) {
        out.push_back(static_cast<char>(value));
        i += 3;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

// The directory of `cgroup_path` under `mount`.
std::string CgroupDirectory(const CgroupMount& mount, const std::string& cgroup_path) {
  std::string_view relative = cgroup_path;
  if (mount.root != "/") {
    if (relative.substr(0, mount.root.size()) == mount.root &&
        (relative.size() == mount.root.size() || relative[mount.root.size()] == '/')) {
      relative.remove_prefix(mount.root.size());
    } else {
      // A namespaced view: the path is not under the mounted root. The mount point itself is
      // the closest cgroup we can read (typically the container's own).
      relative = "";
    }
  }
  std::string dir = mount.mount_point;
  if (!relative.empty() && relative != "/") {
    if (relative.front() != '/') dir += '/';
    dir.append(relative);
  }
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

// The minimum of `file` from `dir` up to the mount point.
std::optional<int64_t> MinimumUpTo(const FileReader& read, std::string dir,
                                   const std::string& mount_point, const char* file) {
  std::optional<int64_t> limit;
  while (true) {
    if (auto text = read(dir + "/" + file)) {
      if (auto value = ParseMemoryLimitValue(*text)) {
        limit = limit ? std::min(*limit, *value) : *value;
      }
    }
    if (dir.size() <= mount_point.size()) return limit;
    size_t slash = dir.rfind('/');
    if (slash == std::string::npos || slash < mount_point.size()) {
      dir = mount_point;
    } else {
      dir.resize(slash);
    }
  }
}

bool Contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace

std::vector<CgroupMembership> ParseProcCgroup(std::string_view text) {
  std::vector<CgroupMembership> memberships;
  for (std::string_view line : Split(text, '\n')) {
    size_t first = line.find(':');
    size_t second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos) continue;
    CgroupMembership membership;
    std::string_view id = line.substr(0, first);
    if (std::from_chars(id.data(), id.data() + id.size(), membership.hierarchy).ec != std::errc()) {
      continue;
    }
    std::string_view controllers = line.substr(first + 1, second - first - 1);
    if (!controllers.empty()) {
      for (std::string_view c : Split(controllers, ',')) membership.controllers.emplace_back(c);
    }
    membership.path = std::string(line.substr(second + 1));
    memberships.push_back(std::move(membership));
  }
  return memberships;
}

std::vector<CgroupMount> ParseCgroupMounts(std::string_view mountinfo) {
  std::vector<CgroupMount> mounts;
  for (std::string_view line : Split(mountinfo, '\n')) {
    std::vector<std::string_view> fields;
    for (std::string_view field : Split(line, ' ')) {
      if (!field.empty()) fields.push_back(field);
    }
    auto dash = std::find(fields.begin(), fields.end(), "-");
    if (fields.size() < 5 || dash == fields.end() || fields.end() - dash < 4) continue;
    std::string_view type = dash[1];
    if (type != "cgroup" && type != "cgroup2") continue;
    CgroupMount mount;
    mount.v2 = type == "cgroup2";
    mount.root = Unescape(fields[3]);
    mount.mount_point = Unescape(fields[4]);
    if (!mount.v2) {
      for (std::string_view option : Split(dash[3], ',')) mount.controllers.emplace_back(option);
    }
    mounts.push_back(std::move(mount));
  }
  return mounts;
}

std::optional<int64_t> ParseMemoryLimitValue(std::string_view text) {
  text = Trim(text);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

std::optional<int64_t> CgroupMemoryLimit(const FileReader& read) {
  auto cgroup_text = read("/proc/self/cgroup");
  auto mountinfo_text = read("/proc/self/mountinfo");
  if (!cgroup_text || !mountinfo_text) return std::nullopt;
  std::vector<CgroupMount> mounts = ParseCgroupMounts(*mountinfo_text);
  std::optional<int64_t> limit;
  auto consider = [&](std::optional<int64_t> value) {
    if (value) limit = limit ? std::min(*limit, *value) : *value;
  };
  for (const CgroupMembership& membership : ParseProcCgroup(*cgroup_text)) {
    bool v2 = membership.hierarchy == 0 && membership.controllers.empty();
    if (!v2 && !Contains(membership.controllers, "memory")) continue;
    for (const CgroupMount& mount : mounts) {
      if (mount.v2 != v2 || (!v2 && !Contains(mount.controllers, "memory"))) continue;
      consider(MinimumUpTo(read, CgroupDirectory(mount, membership.path), mount.mount_point,
                           v2 ? "memory.max" : "memory.limit_in_bytes"));
      break;
    }
  }
  return limit;
}

std::optional<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return text.str();
}

int64_t UsableMemoryBytes() {
  int64_t physical = static_cast<int64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE);
  auto limit = CgroupMemoryLimit(ReadWholeFile);
  return limit ? std::min(physical, *limit) : physical;
}

}  // namespace allot
