// GPUs this process may use: CUDA_VISIBLE_DEVICES when it is set (it is what CUDA programs will
// see), else the devices NVML counts, with libnvidia-ml loaded at run time (never linked: a
// machine without the NVIDIA driver simply has no GPUs).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace allot {

// The device ids a CUDA_VISIBLE_DEVICES value selects; nullopt when the variable is unset
// (`value` null). As CUDA reads it: a comma list; integers are kept as given (the ids tasks
// must be given); UUIDs ("GPU-...", "MIG-...") become 0..n-1; the list ends at the first
// invalid entry (a negative number, an empty item); duplicates are dropped. Empty, "-1" and
// "NoDevFiles" select no device.
std::optional<std::vector<int>> GpusFromCudaVisibleDevices(const char* value);

// Devices counted by NVML (0..n-1), or none when libnvidia-ml.so.1 is absent or fails.
std::vector<int> GpusFromNvml();

// GpusFromCudaVisibleDevices(getenv(...)), else GpusFromNvml().
std::vector<int> DetectGpus();

}  // namespace allot
