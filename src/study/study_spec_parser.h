// Reading a study file (YAML, or JSON when its name ends in .json) into a StudySpec, with every
// problem as a diagnostic naming the file, line and field:
//   study.yaml:4: field 'space.thickness.low': must be a finite number (got "one")
//   study.yaml:9: field 'sampeler': unknown key (did you mean 'sampler'?)
//
// Keys and what they accept:
//   study       required: a name, 1 to 64 of [A-Za-z0-9_.-]
//   space       required: a mapping of parameter name ([A-Za-z_][A-Za-z0-9_]*, not trial or
//               dep) -> {type: float|int, low, high, log} or {type: choice, values: [...]}.
//               float: finite low < high; int: whole low <= high; log: true needs low > 0.
//               choice: a non-empty list of distinct scalars (strings, numbers, booleans)
//   objectives  required: a non-empty list of {name, goal: minimize|maximize} (names distinct)
//   sampler     sobol (default) | random | grid
//   seed        an integer >= 0 (default 0)
//   trials      an integer from 1 to 100000; required but for grid, where it is the number of
//               grid points and, when written, must equal it
//   points      grid only: points per float parameter, 2 to 1000 (default 5)
//   parallel    an integer from 1 to 10000 (default 1): trial tasks running at once
//   trial       required: a task body without id, depends_on or sweep (command, python,
//               script or container, and any other task field), or {tasks: [...]}: a
//               workflow of tasks with local ids ([A-Za-z0-9_.]+) whose depends_on name each
//               other; other task fields are checked when the workflow is compiled
//   scenarios   a scenario policy block, checked as a workflow's (model/scenario_policy_parser.h)
// Unknown keys get a did-you-mean. null means "not written". No shared state.
#pragma once

#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/diagnostic.h"
#include "study/study_spec.h"

namespace allot {

// The spec in `text` (the contents of `file_name`), or every problem appended to
// `diagnostics` (may be null) and InvalidArgument "<file>: N problems" carrying them.
// Warnings (nothing is refused for them) go to `warnings` when not null.
Result<StudySpec> ParseStudySpec(std::string_view file_name, std::string_view text,
                                 std::vector<Diagnostic>* diagnostics,
                                 std::vector<Diagnostic>* warnings);

}  // namespace allot
