// CheckFitsMachine (declared in task_file.h).
#include <string>

#include "common/units.h"
#include "model/task_file.h"

namespace allot {
namespace {

std::string Plural(int64_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

bool CheckFitsMachine(const std::vector<TaskSpec>& tasks, const MachineCapacity& capacity,
                      std::vector<Diagnostic>* diagnostics) {
  bool all_fit = true;
  for (const TaskSpec& t : tasks) all_fit = CheckFitsMachine(t, capacity, diagnostics) && all_fit;
  return all_fit;
}

bool CheckFitsMachine(const TaskSpec& t, const MachineCapacity& capacity,
                      std::vector<Diagnostic>* diagnostics) {
  bool all_fit = true;
  auto report = [&](const TaskSpec& t, const std::string& message) {
    all_fit = false;
    if (diagnostics == nullptr) return;
    Diagnostic d;
    d.file = t.origin.file;
    d.line = t.origin.line;
    d.task_id = t.id;
    d.message = message;
    diagnostics->push_back(std::move(d));
  };
  {
    const ResourceRequest& r = t.resources;
    if (r.cores.min > capacity.cores) {
      report(t, std::string("asks for ") + (r.cores.elastic() ? "at least " : "") +
                    Plural(r.cores.min, "core", "cores") + "; this machine has " +
                    std::to_string(capacity.cores));
    }
    if (r.memory_bytes > capacity.memory_bytes) {
      report(t, "asks for " + FormatSize(r.memory_bytes) + " of memory; this machine has " +
                    FormatSize(capacity.memory_bytes));
    }
    if (r.gpus > capacity.gpus) {
      report(t, "asks for " + Plural(r.gpus, "GPU", "GPUs") + "; this machine has " +
                    std::to_string(capacity.gpus));
    }
    for (const auto& [name, count] : r.custom) {
      auto it = capacity.custom.find(name);
      int64_t have = it == capacity.custom.end() ? 0 : it->second;
      if (count > have) {
        report(t, "asks for " + std::to_string(count) + " of resource '" + name +
                      "'; this machine has " +
                      (it == capacity.custom.end() ? "none" : std::to_string(have)));
      }
    }
  }
  return all_fit;
}

}  // namespace allot
