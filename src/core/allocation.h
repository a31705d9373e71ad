// Allocation: the exact resources one attempt holds on one worker.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace allot {

struct Allocation {
  std::vector<int> cpus;       // OS CPU ids
  std::vector<int> gpus;       // GPU device ids
  int64_t memory_bytes = 0;
  std::map<std::string, int64_t> custom;
  bool operator==(const Allocation&) const = default;
};

}  // namespace allot
