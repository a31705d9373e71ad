// TaskBuilder: terse TaskSpecs for tests, e.g. TaskBuilder("reco").Cores(4).DependsOn({"sim"}).
// Defaults are the TaskSpec defaults (1 core, no limit, priority 0, no retries) with command
// "true". Thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/time.h"
#include "model/task_spec.h"

namespace allot {

class TaskBuilder {
 public:
  explicit TaskBuilder(std::string id) {
    spec_.id = std::move(id);
    spec_.command = "true";
  }

  TaskBuilder& Cores(int n) { return Cores(n, n); }
  TaskBuilder& Cores(int min, int max) {
    spec_.resources.cores = {min, max};
    return *this;
  }
  TaskBuilder& Memory(int64_t bytes) {
    spec_.resources.memory_bytes = bytes;
    return *this;
  }
  TaskBuilder& MemoryMax(int64_t bytes) {
    spec_.memory_max_bytes = bytes;
    return *this;
  }
  TaskBuilder& Nodes(int n) {
    spec_.resources.nodes = n;
    return *this;
  }
  TaskBuilder& Gpus(int n) {
    spec_.resources.gpus = n;
    return *this;
  }
  TaskBuilder& Custom(const std::string& name, int64_t amount) {
    spec_.resources.custom[name] = amount;
    return *this;
  }
  TaskBuilder& Priority(int p) {
    spec_.priority = p;
    return *this;
  }
  TaskBuilder& DependsOn(std::vector<std::string> ids) {
    spec_.depends_on = std::move(ids);
    return *this;
  }
  // Delay before retry k is min(initial * factor^(k-1), max); initial 0 retries at once.
  TaskBuilder& Retries(int max_retries, Duration initial = Duration(0), double factor = 2.0,
                       Duration max = std::chrono::minutes(10)) {
    spec_.max_retries = max_retries;
    spec_.retry_backoff = {initial, factor, max};
    return *this;
  }
  TaskBuilder& TimeLimit(Duration d) {
    spec_.time_limit = d;
    return *this;
  }
  TaskBuilder& Estimate(Duration d) {
    spec_.time_estimate = d;
    return *this;
  }
  TaskBuilder& Grace(Duration d) {
    spec_.grace_period = d;
    return *this;
  }
  TaskBuilder& Preemptible(Duration min_runtime = Duration(0)) {
    spec_.preemptible = true;
    spec_.min_runtime = min_runtime;
    return *this;
  }
  TaskBuilder& Protected() {
    spec_.is_protected = true;
    return *this;
  }
  TaskBuilder& Checkpoint(CheckpointSpec c = {}) {
    spec_.checkpoint = std::move(c);
    return *this;
  }

  TaskSpec Build() const { return spec_; }
  operator TaskSpec() const { return spec_; }  // NOLINT: implicit by design, for brace lists

 private:
  TaskSpec spec_;
};

}  // namespace allot
