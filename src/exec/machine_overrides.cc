#include "exec/machine_overrides.h"

#include <algorithm>
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

}  // namespace allot
