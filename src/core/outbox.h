// Outbox: the commands the scheduler emits, drained by its driver once per event-loop turn.
// Order of execution matters and is the driver's contract: first persist `submissions` and
// `events` and commit them, then perform `launches`, then `signals`. So nothing starts before
// the transition that says it started is durable.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/allocation.h"
#include "model/metric_point.h"
#include "model/scenario_decision.h"
#include "model/submission.h"
#include "model/task_event.h"

namespace allot {

// An attempt's execution id: task index in the high 32 bits, attempt number in the low.
using ExecutionId = uint64_t;
inline ExecutionId MakeExecutionId(TaskIndex task, uint32_t attempt) {
  return (static_cast<uint64_t>(task) << 32) | attempt;
}
inline TaskIndex TaskOfExecution(ExecutionId id) { return static_cast<TaskIndex>(id >> 32); }
inline uint32_t AttemptOfExecution(ExecutionId id) { return static_cast<uint32_t>(id); }

// A worker, as numbered by whoever adds it to the scheduler (the embedded form has worker 0).
using WorkerId = uint32_t;
// The worker of an attempt recovered from the journal that no worker has reported yet.
inline constexpr WorkerId kNoWorker = ~WorkerId{0};

// One node of a multi-node attempt: its worker, that worker's name and the CPUs held there.
struct NodeShare {
  WorkerId worker = 0;
  std::string name;
  std::vector<int> cpus;
  bool operator==(const NodeShare&) const = default;
};

struct LaunchOrder {
  WorkerId worker = 0;
  ExecutionId execution = 0;
  TaskIndex task = 0;
  uint32_t attempt = 0;
  Allocation allocation;
  // A multi-node attempt (nodes > 1): every node, this one (`worker`, the leader, which runs
  // the command) first. Empty for a one-node attempt.
  std::vector<NodeShare> nodes;
};

struct SignalOrder {
  WorkerId worker = 0;
  ExecutionId execution = 0;
  // Delivered to the attempt's whole process group; on the other nodes of a multi-node
  // attempt, to the processes it runs there (allot node-exec).
  int signal = 0;
};

struct Outbox {
  std::vector<Submission> submissions;
  std::vector<TaskEvent> events;
  std::vector<LaunchOrder> launches;
  std::vector<SignalOrder> signals;
  // Running attempts' intermediate metrics, journaled with the turn's events.
  std::vector<MetricPoint> metrics;
  // What the scenario policy decided this turn (Scheduler::SetScenarioPolicy).
  std::vector<ScenarioDecision> scenario_decisions;
  // Campaign metadata to journal (JournalStore::PutMeta): the scenario policy.
  std::vector<std::pair<std::string, std::string>> meta;

  bool empty() const {
    return submissions.empty() && events.empty() && launches.empty() && signals.empty() &&
           metrics.empty() && scenario_decisions.empty() && meta.empty();
  }
  // Empties every queue. A queue that grew past kKeepBytes (one 1M-task Submit) hands its
  // memory back; smaller ones keep their capacity for the next turn.
  void Clear() {
    ClearVector(submissions);
    ClearVector(events);
    ClearVector(launches);
    ClearVector(signals);
    ClearVector(metrics);
    ClearVector(scenario_decisions);
    ClearVector(meta);
  }

 private:
  static constexpr size_t kKeepBytes = size_t{1} << 20;
  template <typename T>
  static void ClearVector(std::vector<T>& v) {
    if (v.capacity() * sizeof(T) > kKeepBytes) {
      std::vector<T>().swap(v);
    } else {
      v.clear();
    }
  }
};

}  // namespace allot
