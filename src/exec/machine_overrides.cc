#include "exec/machine_overrides.h"

#include <algorithm>
#include <exception>
#include <stdexcept>
#include <string>

#include "common/units.h"

namespace allot {
namespace {

std::string JoinIds(const std::vector<int>& ids) {
  std::string text;
  for (int id : ids) {
    if (!text.empty()) text += ',';
    text += std::to_string(id);
  }
  return text;
}

Status CheckGpus(const std::vector<int>& wanted, const std::vector<int>& detected) {
  std::string flag = "--gpus " + JoinIds(wanted);
  for (size_t i = 0; i < wanted.size(); ++i) {
    int id = wanted[i];
    if (std::find(wanted.begin(), wanted.begin() + static_cast<long>(i), id) !=
        wanted.begin() + static_cast<long>(i)) {
      return Status::InvalidArgument(flag + ": GPU " + std::to_string(id) + " is listed twice");
    }
    if (std::find(detected.begin(), detected.end(), id) == detected.end()) {
      std::string available = detected.empty()
                                  ? "no GPUs were detected (set CUDA_VISIBLE_DEVICES to declare "
                                    "them)"
                                  : "available: " + JoinIds(detected);
      return Status::InvalidArgument(flag + ": GPU " + std::to_string(id) +
                                     " is not available to this process; " + available);
    }
  }
  return Status::Ok();
}

}  // namespace

Result<Machine> ApplyMachineOverrides(Machine detected, const MachineOverrides& overrides) {
  if (overrides.cores) {
    int cores = *overrides.cores;
    std::string flag = "--cores " + std::to_string(cores);
    if (cores < 1) return Status::InvalidArgument(flag + ": must be at least 1");
    if (static_cast<size_t>(cores) > detected.cpus.size()) {
      size_t have = detected.cpus.size();
      return Status::InvalidArgument(flag + ": only " + std::to_string(have) +
                                     (have == 1 ? " CPU is" : " CPUs are") +
                                     " available to this process");
    }
    detected.cpus.resize(static_cast<size_t>(cores));
  }
  if (overrides.memory_bytes) {
    int64_t memory = *overrides.memory_bytes;
    std::string flag = "--memory " + FormatSize(memory);
    if (memory < 1) return Status::InvalidArgument(flag + ": must be positive");
    if (memory > detected.memory_bytes) {
      return Status::InvalidArgument(flag + ": only " + FormatSize(detected.memory_bytes) +
                                     " is available to this process");
    }
    detected.memory_bytes = memory;
  }
  if (overrides.gpus) {
    ALLOT_RETURN_IF_ERROR(CheckGpus(*overrides.gpus, detected.gpus));
    detected.gpus = *overrides.gpus;
  }
  return detected;
}

Result<std::vector<int>> ParseGpuFlag(const std::string& text) {
  std::vector<int> ids;
  if (text.find(',') == std::string::npos) {
    int n = 0;
    try {
      size_t used = 0;
      n = std::stoi(text, &used);
      if (used != text.size() || n < 0) throw std::invalid_argument(text);
    } catch (const std::exception&) {
      return Status::InvalidArgument(
          "--gpus " + text + ": expected a count (2) or a list of device ids (0,3; one id: 3,)");
    }
    for (int i = 0; i < n; ++i) ids.push_back(i);
    return ids;
  }
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? comma : comma - start);
    try {
      size_t used = 0;
      int id = std::stoi(item, &used);
      if (used != item.size() || id < 0) throw std::invalid_argument(item);
      ids.push_back(id);
    } catch (const std::exception&) {
      return Status::InvalidArgument("--gpus " + text + ": '" + item + "' is not a device id");
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
    if (start == text.size()) break;  // "3," is the list holding device 3
  }
  return ids;
}

Machine SpreadSlots(Machine machine, int slots) {
  const size_t cpus = machine.cpus.size();
  int next_id = 0;
  for (const Cpu& c : machine.cpus) next_id = std::max(next_id, c.os_index + 1);
  for (size_t k = cpus; k < static_cast<size_t>(slots); ++k) {
    Cpu slot = machine.cpus[k % cpus];
    slot.runs_on = slot.os_index;
    slot.os_index = next_id++;
    machine.cpus.push_back(slot);
  }
  return machine;
}

int SharedSlots(const Machine& machine) {
  return static_cast<int>(std::count_if(machine.cpus.begin(), machine.cpus.end(),
                                        [](const Cpu& c) { return c.runs_on >= 0; }));
}

Result<Machine> DetectMachineFromFlags(const MachineFlags& flags) {
  MachineOverrides overrides;
  overrides.cores = flags.cores;
  if (flags.slots_beyond_cpus) overrides.cores.reset();  // applied below
  if (!flags.memory.empty()) {
    auto m = ParseSize(flags.memory);
    if (!m.ok()) return m.status().WithPrefix("--memory " + flags.memory);
    overrides.memory_bytes = *m;
  }
  if (!flags.gpus.empty()) {
    ALLOT_ASSIGN_OR_RETURN(auto ids, ParseGpuFlag(flags.gpus));
    overrides.gpus = std::move(ids);
  }
  ALLOT_ASSIGN_OR_RETURN(Machine machine, DetectMachine(overrides));
  if (flags.slots_beyond_cpus && flags.cores) {
    const int slots = *flags.cores;
    if (slots < 1) {
      return Status::InvalidArgument("--cores " + std::to_string(slots) + ": must be at least 1");
    }
    if (static_cast<size_t>(slots) <= machine.cpus.size()) {
      machine.cpus.resize(static_cast<size_t>(slots));
    } else if (!machine.cpus.empty()) {
      machine = SpreadSlots(std::move(machine), slots);
    }
  }
  for (const std::string& r : flags.resources) {
    size_t eq = r.find('=');
    int64_t amount = -1;
    if (eq != std::string::npos && eq > 0) {
      try {
        size_t used = 0;
        amount = std::stoll(r.substr(eq + 1), &used);
        if (used != r.size() - eq - 1) amount = -1;
      } catch (const std::exception&) {
        amount = -1;
      }
    }
    if (amount < 0) {
      return Status::InvalidArgument("--resource " + r + ": expected NAME=COUNT, e.g. licenses=4");
    }
    machine.custom[r.substr(0, eq)] = amount;
  }
  return machine;
}

}  // namespace allot
