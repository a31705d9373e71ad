// MetricPoint: one intermediate metric a running task reported: `allot metric NAME VALUE
// [--step N]`, or a JSON line {"name": ..., "value": ..., "step": ...} appended to
// $ALLOT_METRICS_FILE (<task dir>/metrics.jsonl). The worker reads them as they are written and
// hands them to the core, which journals them (the `metrics` table), streams them in
// `allot events`, and feeds the campaign's scenario policy (core/scenario/scenario_board.h).
// Plain data; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "model/task_event.h"

namespace allot {

struct MetricPoint {
  TaskIndex task = 0;
  uint32_t attempt = 0;
  // 1 to 64 characters of [A-Za-z0-9_.:/-], starting with a letter or '_' (model/metric_line.h).
  std::string name;
  double value = 0;                 // finite
  std::optional<int64_t> step;      // >= 0 when given: an epoch, an iteration, events done
  int64_t time_us = 0;              // when the worker read it, Unix microseconds
  bool operator==(const MetricPoint&) const = default;
};

}  // namespace allot
