// `allot events [--after SEQ] [--follow] [--limit N] [--no-metrics] [--after-metric SEQ]`: the
// campaign's transitions as JSON lines (one object per line: seq, task, execution, attempt,
// from, to, time_us, exit_code, signal, reason, worker) and its running tasks' metrics (lines
// with metric_seq, task, attempt, metric, value, step, time_us; journal/journal_event_json.h),
// from a server (--server-dir / ALLOT_SERVER_DIR) or from an `allot run`
// journal (--workdir / --db). --follow keeps printing new ones as they are committed.
#pragma once

#include <CLI/CLI.hpp>

namespace allot {

void AddEventsCommand(CLI::App* app, int* exit_code);

}  // namespace allot
