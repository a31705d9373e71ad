// ScenarioDecision: what the campaign's scenario policy decided for one scenario, and when: its
// tasks' priority offset from then on, or a stop (core/scenario/scenario_board.h). The core
// emits one per change; the journal keeps them (the scenario_decisions table), `allot events`
// streams them and `allot scenarios` shows each scenario's latest.
// Plain data; thread-compatible.
#pragma once

#include <cstdint>
#include <string>

#include "model/task_event.h"

namespace allot {

struct ScenarioDecision {
  int64_t time_us = 0;  // when the metric that caused it was read, Unix microseconds
  std::string scenario;
  int priority_offset = 0;
  bool stopped = false;
  std::string reason;  // "asha: rung 1 (step 3): loss 0.21 is 2nd of 5 ...: promoted, priority +2"
  TaskIndex task = 0;  // the task whose metric caused it
  bool operator==(const ScenarioDecision&) const = default;
};

}  // namespace allot
