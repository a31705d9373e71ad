// libFuzzer target: arbitrary bytes as a YAML task file (yaml-cpp's event parser, anchors,
// aliases and merge keys, typing of plain scalars, field validation, sweeps).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "task_file_fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  allot::fuzz::CheckTaskFile("tasks.yaml",
                             std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
