// libFuzzer target: arbitrary bytes as a JSON task file (the SAX reader, line tracking,
// streaming of the task list, field validation, sweeps, dependency resolution).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "task_file_fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  allot::fuzz::CheckTaskFile("tasks.json",
                             std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
