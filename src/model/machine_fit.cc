// WhyNeverFits (machine_fit.h) and CheckFitsMachine (task_file.h).
#include "model/machine_fit.h"

#include <string>

#include "common/units.h"
#include "model/task_file.h"

namespace allot {
namespace {

std::string Plural(int64_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::vector<std::string> WhyNeverFits(const ResourceRequest& r, const ResourceAmounts& capacity,
                                      std::string_view holder) {
  std::vector<std::string> why;
  const std::string has = "; " + std::string(holder) + " has ";
  if (r.cores.min > capacity.cores) {
    why.push_back(std::string("asks for ") + (r.cores.elastic() ? "at least " : "") +
                  Plural(r.cores.min, "core", "cores") + has + std::to_string(capacity.cores));
  }
  if (r.memory_bytes > capacity.memory_bytes) {
    why.push_back("asks for " + FormatSize(r.memory_bytes) + " of memory" + has +
                  FormatSize(capacity.memory_bytes));
  }
  if (r.gpus > capacity.gpus) {
    why.push_back("asks for " + Plural(r.gpus, "GPU", "GPUs") + has +
                  std::to_string(capacity.gpus));
  }
  for (const auto& [name, count] : r.custom) {
    auto it = capacity.custom.find(name);
    const int64_t have = it == capacity.custom.end() ? 0 : it->second;
    if (count > have) {
      why.push_back("asks for " + std::to_string(count) + " of resource '" + name + "'" + has +
                    (it == capacity.custom.end() ? "none" : std::to_string(have)));
    }
  }
  return why;
}

bool CheckFitsMachine(const std::vector<TaskSpec>& tasks, const MachineCapacity& capacity,
                      std::vector<Diagnostic>* diagnostics) {
  bool all_fit = true;
  for (const TaskSpec& t : tasks) all_fit = CheckFitsMachine(t, capacity, diagnostics) && all_fit;
  return all_fit;
}

bool CheckFitsMachine(const TaskSpec& t, const MachineCapacity& capacity,
                      std::vector<Diagnostic>* diagnostics) {
  if (!t.executor.empty()) {
    // It never runs on this machine, whatever it asks for.
    if (diagnostics != nullptr) {
      Diagnostic d;
      d.file = t.origin.file;
      d.line = t.origin.line;
      d.task_id = t.id;
      d.field = "executor";
      d.message = "'" + t.executor + "' runs only through a cluster-mode server's worker started "
                  "with `allot worker start --executor " + t.executor + "`; allot run has none";
      diagnostics->push_back(std::move(d));
    }
    return false;
  }
  std::vector<std::string> why = WhyNeverFits(t.resources, capacity);
  if (t.resources.nodes > 1) {
    // One machine is one node: a multi-node task needs a server and a worker per node.
    if (diagnostics != nullptr) {
      Diagnostic d;
      d.file = t.origin.file;
      d.line = t.origin.line;
      d.task_id = t.id;
      d.field = "nodes";
      d.message = "asks for " + std::to_string(t.resources.nodes) +
                  " nodes; this runs on one (start `allot server` and a worker per node, and "
                  "`allot submit` it)";
      diagnostics->push_back(std::move(d));
    }
    return false;
  }
  if (diagnostics != nullptr) {
    for (std::string& message : why) {
      Diagnostic d;
      d.file = t.origin.file;
      d.line = t.origin.line;
      d.task_id = t.id;
      d.message = std::move(message);
      diagnostics->push_back(std::move(d));
    }
  }
  return why.empty();
}

}  // namespace allot
