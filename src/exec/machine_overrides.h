// Applying the user's --cores/--memory/--gpus/--resource to a detected machine: they may only
// narrow it (custom resources are declared, not detected). Shared by `allot run` and
// `allot worker start`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "exec/machine_detector.h"
#include "model/machine.h"

namespace allot {

// cores: the first N CPUs (topology order); memory: that many bytes; gpus: exactly those ids,
// each of which must be detected. InvalidArgument naming the flag when an override is not
// positive, lists a GPU twice or asks for more than `detected` has, e.g.
// "--cores 8: only 2 CPUs are available to this process".
Result<Machine> ApplyMachineOverrides(Machine detected, const MachineOverrides& overrides);

// The machine flags as typed on a command line.
struct MachineFlags {
  std::optional<int> cores;            // --cores N
  std::string memory;                  // --memory SIZE ("16G"); empty: detected
  std::string gpus;                    // --gpus N or LIST ("2", "0,3", "3,"); empty: detected
  std::vector<std::string> resources;  // --resource NAME=COUNT, repeatable
  // --cores N with N > the CPUs there are: N task slots spread over them (SpreadSlots) instead
  // of a refusal. For allot run, which owns its CPUs; a worker beside others does not.
  bool slots_beyond_cpus = false;
};

// `machine` with `slots` task slots: its CPUs first, then slots that share them round-robin
// (Cpu::runs_on), with ids above every CPU's and the topology of the CPU they run on.
// REQUIRES: slots > machine.cpus.size() > 0.
Machine SpreadSlots(Machine machine, int slots);
// The number of slots that share a CPU with another (0: every slot has a CPU of its own).
int SharedSlots(const Machine& machine);

// "--gpus" text to device ids: a count N is 0..N-1, a list with a comma is those ids.
// InvalidArgument naming the flag otherwise.
Result<std::vector<int>> ParseGpuFlag(const std::string& text);
// DetectMachine narrowed by the flags, plus the custom resources they declare. InvalidArgument
// naming the flag ("--memory lots: ...", "--resource x: expected NAME=COUNT, e.g. licenses=4").
Result<Machine> DetectMachineFromFlags(const MachineFlags& flags);

}  // namespace allot
