#include "exec/slurm_environment.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>

namespace allot {
namespace {

constexpr int64_t kMiB = int64_t{1} << 20;

// A whole number > 0 (or >= 0 when `zero_ok`) and nothing else.
std::optional<int64_t> ParseCount(std::string_view text, bool zero_ok = false) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || value < (zero_ok ? 0 : 1)) return std::nullopt;
  return value;
}

std::optional<int64_t> CountOf(const EnvLookup& env, const std::string& name,
                               bool zero_ok = false) {
  std::optional<std::string> text = env(name);
  if (!text) return std::nullopt;
  return ParseCount(*text, zero_ok);
}

}  // namespace

std::optional<int> SlurmCountAtNode(std::string_view list, int node_index) {
  if (node_index < 0) return std::nullopt;
  int64_t first = 0;  // index of the first node the current item covers
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    int64_t repeat = 1;
    if (size_t paren = item.find("(x"); paren != std::string_view::npos) {
      if (item.back() != ')') return std::nullopt;
      std::optional<int64_t> r = ParseCount(item.substr(paren + 2, item.size() - paren - 3));
      if (!r) return std::nullopt;
      repeat = *r;
      item = item.substr(0, paren);
    }
    std::optional<int64_t> count = ParseCount(item);
    if (!count || *count > INT32_MAX) return std::nullopt;
    if (node_index < first + repeat) return static_cast<int>(*count);
    first += repeat;
  }
  return std::nullopt;
}

std::optional<SlurmAllocation> ReadSlurmAllocation(const EnvLookup& env) {
  std::optional<std::string> node = env("SLURMD_NODENAME");
  if (!node || node->empty()) return std::nullopt;
  SlurmAllocation a;
  a.node = *node;

  int64_t local_tasks = 1;
  if (std::optional<std::string> per_node = env("SLURM_STEP_TASKS_PER_NODE")) {
    std::optional<int64_t> node_id = CountOf(env, "SLURM_NODEID", /*zero_ok=*/true);
    std::optional<int> n =
        node_id ? SlurmCountAtNode(*per_node, static_cast<int>(*node_id)) : std::nullopt;
    if (!n) return a;  // a step whose layout cannot be read: no share can be told
    local_tasks = *n;
  }
  std::optional<int64_t> node_cpus = CountOf(env, "SLURM_CPUS_ON_NODE");
  if (node_cpus && *node_cpus <= INT32_MAX) {
    a.cpus = static_cast<int>(std::max<int64_t>(1, *node_cpus / local_tasks));
    a.node_cpus = static_cast<int>(*node_cpus);
  }
  std::optional<int64_t> node_mib = CountOf(env, "SLURM_MEM_PER_NODE");
  if (!node_mib && node_cpus) {
    if (std::optional<int64_t> per_cpu = CountOf(env, "SLURM_MEM_PER_CPU")) {
      node_mib = *per_cpu * *node_cpus;
    }
  }
  if (node_mib && *node_mib <= INT64_MAX / kMiB) {
    a.memory_bytes = *node_mib * kMiB / local_tasks;
    a.node_memory_bytes = *node_mib * kMiB;
  }
  return a;
}

std::optional<SlurmAllocation> CurrentSlurmAllocation() {
  return ReadSlurmAllocation([](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  });
}

void NarrowToSlurmAllocation(const SlurmAllocation& allocation, Machine* machine) {
  if (allocation.cpus && machine->cpus.size() > static_cast<size_t>(*allocation.cpus)) {
    machine->cpus.resize(static_cast<size_t>(*allocation.cpus));
  }
  if (allocation.memory_bytes && machine->memory_bytes > *allocation.memory_bytes) {
    machine->memory_bytes = *allocation.memory_bytes;
  }
}

}  // namespace allot
