#include "core/scheduler.h"

namespace allot {

std::vector<WaitingTask> Scheduler::WaitingWork(size_t limit) {
  std::vector<WaitingTask> out;
  for (auto key : ready_) {
    if (out.size() >= limit) break;
    const TaskIndex t = ReadyQueue::TaskOf(key);
    const TaskSpec& spec = tasks_.spec(t);
    WaitingTask& w = out.emplace_back();
    w.cores = spec.resources.cores.min;
    w.memory_bytes = spec.resources.memory_bytes;
    w.gpus = spec.resources.gpus;
    w.nodes = spec.resources.nodes;
    std::optional<Duration> expected = ExpectedRuntimeOf(t);
    if (!expected) expected = spec.time_limit;
    w.expected = expected.value_or(Duration::zero());
    if (auto q = spec.tags.find("queue"); q != spec.tags.end()) w.queue = q->second;
  }
  return out;
}

}  // namespace allot
