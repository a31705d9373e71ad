// The CPUs this process may run on (its sched_getaffinity mask) with their place in the
// machine's topology from hwloc, so that placement can keep a task's cores on one package and
// NUMA node and tell hardware threads of one core apart.
#pragma once

#include <vector>

#include "model/machine.h"

namespace allot {

// The CPUs of the affinity mask in topology order. Where hwloc cannot load a topology or does
// not know a CPU, that CPU gets package 0, NUMA node 0 and a core of its own; never fails.
// Package and core are hwloc logical indexes (unique across the machine), the NUMA node its OS
// index (the one numactl takes).
std::vector<Cpu> DetectCpus();

// Every CPU of this machine the process could be given: hwloc's allowed set (the cgroup's
// cpuset, whatever the affinity mask, which taskset narrows), plus the affinity mask's CPUs;
// in topology order. The affinity mask alone where hwloc cannot load a topology.
std::vector<Cpu> DetectAllowedCpus();

// Sorts by package, NUMA node, core, then OS index.
void SortInTopologyOrder(std::vector<Cpu>* cpus);

}  // namespace allot
