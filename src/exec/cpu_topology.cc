#include "exec/cpu_topology.h"

#include <hwloc.h>
#include <sched.h>

#include <algorithm>
#include <tuple>

namespace allot {
namespace {

std::vector<int> AffinityCpus() {
  std::vector<int> ids;
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return ids;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) ids.push_back(cpu);
  }
  return ids;
}

Cpu FlatCpu(int os_index) {
  Cpu cpu;
  cpu.os_index = os_index;
  cpu.core = os_index;
  return cpu;
}

// Owns a loaded hwloc topology.
class Topology {
 public:
  Topology() {
    if (hwloc_topology_init(&topology_) != 0) return;
    initialized_ = true;
    loaded_ = hwloc_topology_load(topology_) == 0;
  }
  ~Topology() {
    if (initialized_) hwloc_topology_destroy(topology_);
  }
  Topology(const Topology&) = delete;
  Topology& operator=(const Topology&) = delete;

  // The OS ids of hwloc's allowed CPUs; none when the topology did not load.
  std::vector<int> AllowedCpus() const {
    std::vector<int> ids;
    if (!loaded_) return ids;
    hwloc_const_cpuset_t allowed = hwloc_topology_get_allowed_cpuset(topology_);
    if (allowed == nullptr) return ids;
    unsigned id = 0;
    hwloc_bitmap_foreach_begin(id, allowed) { ids.push_back(static_cast<int>(id)); }
    hwloc_bitmap_foreach_end();
    return ids;
  }

  Cpu Describe(int os_index) const {
    Cpu cpu = FlatCpu(os_index);
    if (!loaded_) return cpu;
    hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(topology_, static_cast<unsigned>(os_index));
    if (pu == nullptr) return cpu;
    if (hwloc_obj_t package = hwloc_get_ancestor_obj_by_type(topology_, HWLOC_OBJ_PACKAGE, pu)) {
      cpu.package = static_cast<int>(package->logical_index);
    }
    if (hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(topology_, HWLOC_OBJ_CORE, pu)) {
      cpu.core = static_cast<int>(core->logical_index);
    } else {
      cpu.core = static_cast<int>(pu->logical_index);
    }
    if (pu->nodeset != nullptr) {
      int node = hwloc_bitmap_first(pu->nodeset);
      if (node >= 0) cpu.numa_node = node;
    }
    return cpu;
  }

 private:
  hwloc_topology_t topology_ = nullptr;
  bool initialized_ = false;
  bool loaded_ = false;
};

}  // namespace

void SortInTopologyOrder(std::vector<Cpu>* cpus) {
  std::sort(cpus->begin(), cpus->end(), [](const Cpu& a, const Cpu& b) {
    return std::tie(a.package, a.numa_node, a.core, a.os_index) <
           std::tie(b.package, b.numa_node, b.core, b.os_index);
  });
}

std::vector<Cpu> DetectCpus() {
  Topology topology;
  std::vector<Cpu> cpus;
  for (int id : AffinityCpus()) cpus.push_back(topology.Describe(id));
  SortInTopologyOrder(&cpus);
  return cpus;
}

std::vector<Cpu> DetectAllowedCpus() {
  Topology topology;
  std::vector<int> ids = topology.AllowedCpus();
  for (int id : AffinityCpus()) {
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  std::vector<Cpu> cpus;
  for (int id : ids) {
    if (id < CPU_SETSIZE) cpus.push_back(topology.Describe(id));
  }
  SortInTopologyOrder(&cpus);
  return cpus;
}

}  // namespace allot
