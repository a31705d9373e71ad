#include "exec/gpu_detector.h"

#include <dlfcn.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <string>

namespace allot {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

// The NVML entry points Allot uses; nvmlReturn_t is an int enum, 0 = success.
using NvmlInitFn = int (*)();
using NvmlDeviceGetCountFn = int (*)(unsigned int*);
using NvmlShutdownFn = int (*)();

}  // namespace

std::optional<std::vector<int>> GpusFromCudaVisibleDevices(const char* value) {
  if (value == nullptr) return std::nullopt;
  std::vector<int> gpus;
  std::string_view text = Trim(value);
  if (text.empty() || text == "NoDevFiles") return gpus;
  int uuid_count = 0;
  bool numeric = false;
  size_t start = 0;
  for (bool first = true; start <= text.size(); first = false) {
    size_t end = std::min(text.find(',', start), text.size());
    std::string_view item = Trim(text.substr(start, end - start));
    start = end + 1;
    if (item.empty()) break;
    int id = -1;
    auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), id);
    bool is_int = ec == std::errc() && ptr == item.data() + item.size();
    if (first) numeric = is_int;
    if (numeric) {
      if (!is_int || id < 0) break;
      if (std::find(gpus.begin(), gpus.end(), id) == gpus.end()) gpus.push_back(id);
    } else {
      if (is_int) break;  // CUDA does not mix UUIDs and indices
      gpus.push_back(uuid_count++);
    }
  }
  return gpus;
}

std::vector<int> GpusFromNvml() {
  std::vector<int> gpus;
  void* library = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) return gpus;
  auto init = reinterpret_cast<NvmlInitFn>(dlsym(library, "nvmlInit_v2"));
  auto get_count = reinterpret_cast<NvmlDeviceGetCountFn>(dlsym(library, "nvmlDeviceGetCount_v2"));
  auto shutdown = reinterpret_cast<NvmlShutdownFn>(dlsym(library, "nvmlShutdown"));
  if (init != nullptr && get_count != nullptr && shutdown != nullptr && init() == 0) {
    unsigned int count = 0;
    if (get_count(&count) == 0) {
      for (unsigned int i = 0; i < count; ++i) gpus.push_back(static_cast<int>(i));
    }
    shutdown();
  }
  dlclose(library);
  return gpus;
}

std::vector<int> DetectGpus() {
  if (auto gpus = GpusFromCudaVisibleDevices(std::getenv("CUDA_VISIBLE_DEVICES"))) {
    return *gpus;
  }
  return GpusFromNvml();
}

}  // namespace allot
