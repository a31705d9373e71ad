// Dependency checks over all tasks of a file, after expansion:
//   1. duplicate ids (each reported once, naming both lines), and ids that tasks held beside
//      the file already have (LoadOptions::held: a server's earlier submissions);
//   2. depends_on entries: a plain id must name a task of the file (hash lookup) or a held
//      one; a pattern ('*', '?') expands to every matching id of the file except the task's
//      own, in file order, and every matching held id, and must match something; results are
//      deduplicated. Patterns are matched once per distinct pattern, against the ids sharing
//      its literal prefix (a sorted index; held ids through HeldTaskIds::ForEachWithPrefix), so
//      "sim-*" over a million ids is cheap. The held ids are asked about once, all questions
//      together (HeldTaskIds::Lookup);
//   3. cycles: one diagnostic per strongly connected component, printing one cycle through
//      it ("a -> b -> c -> a", arrows read "depends on"). Held tasks depend on no task of the
//      file (they came first), so a cycle always closes within the file.
// Every problem is a diagnostic with the line, task and field ("depends_on", "id").
// Linear in tasks + edges, except for pattern matching.
#pragma once

#include <vector>

#include "common/status.h"
#include "model/diagnostic_sink.h"
#include "model/held_task_ids.h"
#include "model/task_expander.h"
#include "model/task_spec.h"

namespace allot {

// Replaces every task's depends_on with resolved ids: those of the file in file order, then
// the held ones. `ids_incomplete`: some tasks were left out for want of a usable id (already
// reported); messages about entries naming no task say that they may name one of those.
// `held` (may be null: none) must outlive the call. Returns OK, or the error of `held`'s
// Lookup (not a problem of the file: nothing is reported to `sink` then).
Status ResolveDependencies(std::vector<PendingTask>* tasks, bool ids_incomplete,
                           const HeldTaskIds* held, DiagnosticSink* sink);

// For a caller whose held ids may have grown since it resolved `tasks` (a server, between
// reading a submission off its loop and adding it there): appends a diagnostic, as
// ResolveDependencies words it, at the task's line, for every task whose id `held` now has.
// Asks Contains only, never Lookup, so it runs on the thread that owns the ids. Returns true
// when there is none.
bool CheckIdsStillNew(const std::vector<TaskSpec>& tasks, const HeldTaskIds& held,
                      std::vector<Diagnostic>* diagnostics);

}  // namespace allot
