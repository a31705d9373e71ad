// Machine: the resources one worker offers, as detected (exec/machine_detector.h) or given on
// the command line. The core places tasks onto it; it never probes hardware itself.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace allot {

// One schedulable processing unit (a hardware thread the process may run on).
struct Cpu {
  int os_index = 0;  // the id sched_setaffinity takes
  int package = 0;   // socket
  int numa_node = 0;
  int core = 0;  // physical core; hardware threads of one core share it
  // A task slot beyond the CPUs there are (allot run --cores N with N > CPUs): os_index is
  // then a slot id no CPU has, and this is the os id of the CPU the slot's tasks run on
  // (shared with other slots). -1: a CPU of its own.
  int runs_on = -1;
  bool operator==(const Cpu&) const = default;
};

// Amounts of every kind of resource: what a machine has, what is free, what a task holds.
struct ResourceAmounts {
  int cores = 0;
  int64_t memory_bytes = 0;
  int gpus = 0;
  std::map<std::string, int64_t> custom;
};

struct Machine {
  std::vector<Cpu> cpus;  // in topology order (package, NUMA node, core)
  int64_t memory_bytes = 0;
  std::vector<int> gpus;  // device ids for CUDA_VISIBLE_DEVICES
  std::map<std::string, int64_t> custom;
  // What runs the tasks placed here (TaskSpec::executor): "" this worker's own processes;
  // "slurm", each attempt its own Slurm job (then cpus are task slots, not this host's CPUs).
  std::string executor;
  bool operator==(const Machine&) const = default;

  // Everything the machine has.
  ResourceAmounts Capacity() const {
    return {static_cast<int>(cpus.size()), memory_bytes, static_cast<int>(gpus.size()), custom};
  }
};

}  // namespace allot
