#include "core/resource_pool.h"

#include <algorithm>
#include <cassert>


namespace allot {

ResourcePool::ResourcePool(Machine machine) : machine_(std::move(machine)) {
  free_ = Capacity();
  cpu_free_.assign(machine_.cpus.size(), true);
  gpu_free_.assign(machine_.gpus.size(), true);
  for (size_t i = 0; i < machine_.cpus.size(); ++i) cpu_position_[machine_.cpus[i].os_index] = i;
}

bool ResourcePool::FitsIn(const ResourceRequest& request, int cores,
                          const ResourceAmounts& available) {
  if (cores > available.cores) return false;
  if (request.memory_bytes > available.memory_bytes) return false;
  if (request.gpus > available.gpus) return false;
  for (const auto& [name, amount] : request.custom) {
    auto it = available.custom.find(name);
    if (it == available.custom.end() || it->second < amount) return false;
  }
  return true;
}

bool ResourcePool::CouldEverFit(const ResourceRequest& request) const {
  return FitsIn(request, request.cores.min, Capacity());
}

std::vector<int> ResourcePool::PickCpus(int count) const {
  // Group free CPUs by NUMA node and by package, keeping topology order inside each group.
  std::map<int, std::vector<size_t>> by_numa, by_package;
  for (size_t i = 0; i < cpu_free_.size(); ++i) {
    if (!cpu_free_[i]) continue;
    by_numa[machine_.cpus[i].numa_node].push_back(i);
    by_package[machine_.cpus[i].package].push_back(i);
  }
  auto best_fit = [count](const std::map<int, std::vector<size_t>>& groups)
      -> const std::vector<size_t>* {
    // The fullest group that still fits keeps larger groups whole for larger tasks.
    const std::vector<size_t>* best = nullptr;
    for (const auto& [id, members] : groups) {
      if (static_cast<int>(members.size()) >= count &&
          (best == nullptr || members.size() < best->size())) {
        best = &members;
      }
    }
    return best;
  };
  // Spreads over the fewest NUMA nodes among `candidates`: the largest node groups first.
  auto spread = [&](const std::vector<size_t>& candidates) {
    std::map<int, std::vector<size_t>> nodes;
    for (size_t i : candidates) nodes[machine_.cpus[i].numa_node].push_back(i);
    std::vector<const std::vector<size_t>*> groups;
    for (const auto& [id, members] : nodes) groups.push_back(&members);
    std::stable_sort(groups.begin(), groups.end(),
                     [](auto* a, auto* b) { return a->size() > b->size(); });
    std::vector<size_t> out;
    for (const auto* members : groups) {
      for (size_t i : *members) {
        if (static_cast<int>(out.size()) == count) break;
        out.push_back(i);
      }
    }
    return out;
  };
  std::vector<size_t> chosen;
  if (const std::vector<size_t>* node = best_fit(by_numa); node != nullptr) {
    chosen.assign(node->begin(), node->begin() + count);
  } else if (const std::vector<size_t>* package = best_fit(by_package); package != nullptr) {
    chosen = spread(*package);
  } else {
    std::vector<size_t> all;
    for (const auto& [id, members] : by_numa) all.insert(all.end(), members.begin(), members.end());
    chosen = spread(all);
  }
  std::sort(chosen.begin(), chosen.end());
  std::vector<int> os_ids;
  os_ids.reserve(chosen.size());
  for (size_t i : chosen) os_ids.push_back(machine_.cpus[i].os_index);
  return os_ids;
}

Allocation ResourcePool::Allocate(const ResourceRequest& request, int cores) {
  assert(FitsIn(request, cores, free_));
  Allocation a;
  a.cpus = PickCpus(cores);
  for (int id : a.cpus) cpu_free_[cpu_position_.at(id)] = false;
  for (size_t i = 0; i < gpu_free_.size() && static_cast<int>(a.gpus.size()) < request.gpus; ++i) {
    if (gpu_free_[i]) {
      gpu_free_[i] = false;
      a.gpus.push_back(machine_.gpus[i]);
    }
  }
  a.memory_bytes = request.memory_bytes;
  a.custom = request.custom;
  free_.cores -= cores;
  free_.memory_bytes -= a.memory_bytes;
  free_.gpus -= request.gpus;
  for (const auto& [name, amount] : a.custom) free_.custom[name] -= amount;
  return a;
}

void ResourcePool::Release(const Allocation& a) {
  for (int id : a.cpus) {
    size_t pos = cpu_position_.at(id);
    assert(!cpu_free_[pos]);
    cpu_free_[pos] = true;
  }
  for (int id : a.gpus) {
    auto it = std::find(machine_.gpus.begin(), machine_.gpus.end(), id);
    assert(it != machine_.gpus.end());
    gpu_free_[it - machine_.gpus.begin()] = true;
  }
  free_.cores += static_cast<int>(a.cpus.size());
  free_.memory_bytes += a.memory_bytes;
  free_.gpus += static_cast<int>(a.gpus.size());
  for (const auto& [name, amount] : a.custom) free_.custom[name] += amount;
}

bool ResourcePool::Claim(const Allocation& a) {
  for (int id : a.cpus) {
    auto it = cpu_position_.find(id);
    if (it == cpu_position_.end() || !cpu_free_[it->second]) return false;
  }
  for (int id : a.gpus) {
    auto it = std::find(machine_.gpus.begin(), machine_.gpus.end(), id);
    if (it == machine_.gpus.end() || !gpu_free_[it - machine_.gpus.begin()]) return false;
  }
  if (a.memory_bytes > free_.memory_bytes) return false;
  for (const auto& [name, amount] : a.custom) {
    auto it = free_.custom.find(name);
    if (it == free_.custom.end() || it->second < amount) return false;
  }
  for (int id : a.cpus) cpu_free_[cpu_position_.at(id)] = false;
  for (int id : a.gpus) {
    gpu_free_[std::find(machine_.gpus.begin(), machine_.gpus.end(), id) - machine_.gpus.begin()] =
        false;
  }
  free_.cores -= static_cast<int>(a.cpus.size());
  free_.memory_bytes -= a.memory_bytes;
  free_.gpus -= static_cast<int>(a.gpus.size());
  for (const auto& [name, amount] : a.custom) free_.custom[name] -= amount;
  return true;
}

}  // namespace allot
