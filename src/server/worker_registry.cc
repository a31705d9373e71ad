#include "server/worker_registry.h"

#include <algorithm>

namespace allot {

WorkerPeer& WorkerRegistry::Add(WorkerId id, const std::string& name) {
  WorkerPeer& p = peers_[name];
  p = WorkerPeer{};
  p.id = id;
  p.name = name;
  name_of_[id] = name;
  return p;
}

WorkerPeer* WorkerRegistry::Find(const std::string& name) {
  auto it = peers_.find(name);
  return it == peers_.end() ? nullptr : &it->second;
}

WorkerPeer* WorkerRegistry::Find(WorkerId id) {
  auto it = name_of_.find(id);
  return it == name_of_.end() ? nullptr : Find(it->second);
}

const WorkerPeer* WorkerRegistry::FindByRef(const std::string& ref) const {
  for (const auto& [name, p] : peers_) {
    if (std::to_string(p.id) == ref || name == ref) return &p;
  }
  return nullptr;
}

void WorkerRegistry::Remove(const std::string& name, const std::string& state,
                            const std::string& reason, const ResourceAmounts& capacity) {
  auto it = peers_.find(name);
  if (it == peers_.end()) return;
  const WorkerPeer& p = it->second;
  PastWorker past;
  past.id = p.id;
  past.name = p.name;
  past.host = p.host;
  past.slurm_job = p.slurm_job;
  past.state = state;
  past.reason = reason;
  past.cores = capacity.cores;
  past.memory = capacity.memory_bytes;
  past.gpus = capacity.gpus;
  past.joined_us = p.joined_us;
  past.last_seen_us = p.last_seen_us;
  past_.push_back(std::move(past));
  name_of_.erase(p.id);
  peers_.erase(it);
}

std::vector<NodeTenant> WorkerRegistry::TenantsOf(const std::string& node) const {
  std::vector<NodeTenant> tenants;
  if (node.empty()) return tenants;
  for (const auto& [name, p] : peers_) {
    if (p.node_name != node) continue;
    NodeTenant& t = tenants.emplace_back();
    t.worker = name;
    for (const Cpu& c : p.machine.cpus) t.cpus.push_back(c.os_index);
    t.memory_bytes = p.machine.memory_bytes;
  }
  return tenants;
}

std::vector<std::string> WorkerRegistry::Silent(TimePoint now, Duration timeout) const {
  std::vector<std::string> silent;
  for (const auto& [name, p] : peers_) {
    if (now - p.last_seen > timeout) silent.push_back(name);
  }
  return silent;
}

std::optional<TimePoint> WorkerRegistry::NextSilence(Duration timeout) const {
  std::optional<TimePoint> first;
  for (const auto& [name, p] : peers_) {
    // Declared silent strictly after the timeout: one microsecond past it.
    const TimePoint at = p.last_seen + timeout + std::chrono::microseconds(1);
    if (!first || at < *first) first = at;
  }
  return first;
}

}  // namespace allot
