// The text form of a metric (model/metric_point.h): one JSON line in $ALLOT_METRICS_FILE,
//   {"name": "loss", "value": 0.42, "step": 3}
// "step" is optional (a non-negative integer); other keys are ignored (a user's own "time",
// "epoch_seconds"...). `allot metric NAME VALUE [--step N]` writes exactly such a line.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"
#include "model/metric_point.h"

namespace allot {

// OK for a valid metric name: 1 to 64 characters of [A-Za-z0-9_.:/-] starting with a letter or
// '_'. Else InvalidArgument saying what is wrong ("metric name 'a b': ' ' is not allowed...").
Status CheckMetricName(std::string_view name);

// The point in `line` (name, value, step; task, attempt and time are the reader's). A line that
// is not a JSON object, lacks "name" or "value", has a bad name, a value that is not a finite
// number, or a step that is not a non-negative integer: InvalidArgument naming the field.
Result<MetricPoint> ParseMetricLine(std::string_view line);

// The line for a point (without its newline), as ParseMetricLine reads it.
std::string MetricLine(const std::string& name, double value, std::optional<int64_t> step);

}  // namespace allot
