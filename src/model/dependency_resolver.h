// Dependency checks over all tasks of a file, after expansion:
//   1. duplicate ids (each reported once, naming both lines);
//   2. depends_on entries: a plain id must exist (hash lookup); a pattern ('*', '?') expands
//      to every matching id except the task's own, in file order, and must match something;
//      results are deduplicated. Patterns are matched once per distinct pattern, against the
//      ids sharing its literal prefix (a sorted index), so "sim-*" over 100k ids is cheap;
//   3. cycles: one diagnostic per strongly connected component, printing one cycle through
//      it ("a -> b -> c -> a", arrows read "depends on").
// Linear in tasks + edges, except for pattern matching.
#pragma once

#include <vector>

#include "model/diagnostic_sink.h"
#include "model/task_expander.h"

namespace allot {

// Replaces every task's depends_on with resolved ids. `ids_incomplete`: some tasks were left
// out for want of a usable id (already reported); messages about entries naming no task say
// that they may name one of those.
// `keep_unknown`: an entry naming no task of the file is kept as written, after the resolved
// ones (for ids the caller resolves elsewhere).
void ResolveDependencies(std::vector<PendingTask>* tasks, bool ids_incomplete,
                         DiagnosticSink* sink, bool keep_unknown = false);

}  // namespace allot
