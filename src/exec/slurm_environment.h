// What Slurm allocated to this process on this node, read from the environment slurmd gives a
// batch script or a job step (srun). Where Slurm does not bind (TaskPlugin=task/none, no cgroup),
// a process of a job may run on every CPU of the node and sees all its memory, although the job
// holds only part of them; allot then offers only what Slurm allocated. The parsing is pure and
// takes a lookup, so tests feed it made-up environments.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "model/machine.h"

namespace allot {

struct SlurmAllocation {
  std::string node;                     // SLURMD_NODENAME: the Slurm node this process is on
  std::optional<int> cpus;              // this process's share of the CPUs
  std::optional<int64_t> memory_bytes;  // this process's share of the memory
  // The whole step's (the job's, in a batch script) on this node, which its tasks share.
  std::optional<int> node_cpus;
  std::optional<int64_t> node_memory_bytes;
};

// The value of an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// nullopt outside a batch script or job step (SLURMD_NODENAME unset or empty: e.g. the shell
// of salloc, which runs on the submit host). CPUs: SLURM_CPUS_ON_NODE (the step's CPUs on this
// node, the job's in a batch script) divided among the step's tasks on this node
// (SLURM_STEP_TASKS_PER_NODE at SLURM_NODEID; 1 in a batch script). SLURM_CPUS_PER_TASK is not
// used: since Slurm 22.05 a step does not inherit the job's --cpus-per-task, yet the variable
// still says it. Memory: SLURM_MEM_PER_NODE, or SLURM_MEM_PER_CPU times the node's CPUs, in MiB,
// divided the same way. A value that is missing or malformed leaves that field unset.
std::optional<SlurmAllocation> ReadSlurmAllocation(const EnvLookup& env);

// ReadSlurmAllocation of this process's environment.
std::optional<SlurmAllocation> CurrentSlurmAllocation();

// The count at `node_index` in a Slurm per-node list such as "2(x3),1" (nodes 0-2: 2, node 3:
// 1); nullopt when malformed or the index is past the end.
std::optional<int> SlurmCountAtNode(std::string_view list, int node_index);

// Keeps the first `cpus` CPUs (topology order) and at most `memory_bytes`; never widens, so a
// mask Slurm already narrowed (task/affinity, cgroups) stays as it is.
void NarrowToSlurmAllocation(const SlurmAllocation& allocation, Machine* machine);

}  // namespace allot
