// `allot metric NAME VALUE [--step N]`: from inside a task, report an intermediate metric.
// It appends one JSON line (model/metric_line.h) to $ALLOT_METRICS_FILE, which the worker that
// runs the task reads as it is written (worker/metrics_tail.h): no server, no port, the same in
// `allot run` and on a cluster's workers. A bad name or value, or no $ALLOT_METRICS_FILE (not
// inside a task), is exit 2 and writes nothing.
#pragma once

#include <CLI/CLI.hpp>

namespace allot {

void AddMetricCommand(CLI::App* app, int* exit_code);

}  // namespace allot
