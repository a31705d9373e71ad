// A task's result: the JSON value an attempt leaves in $ALLOT_RESULT_FILE (<task dir>/result.json)
// before it exits 0. The whole file is one JSON document, or JSON lines of which the last
// non-empty one counts (a command may print progress results as it goes). It is journaled with
// the success (AttemptUsage::result, compact), shown by `allot status`, and handed to the
// task's dependents: $ALLOT_DEP_RESULTS names a file holding {"<dep id>": result, ...}, and
// "{dep.result.KEY}" in a command is replaced by KEY of the first dependency (in depends_on
// order) whose result is an object with it (a string as it is, anything else as JSON; shell-
// quoted).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace allot {

// The most a result may be (its compact JSON): 1 MiB.
inline constexpr int64_t kMaxResultBytes = int64_t{1} << 20;

// The compact JSON of the result in `text` (a result file's contents); InvalidArgument saying
// what is wrong when it holds no JSON, or when the result is over kMaxResultBytes.
Result<std::string> ParseTaskResult(std::string_view text);

// {"<id>": result, ...} of the given (id, compact result) pairs, in order.
std::string DepResultsJson(const std::vector<std::pair<std::string, std::string>>& results);

// `command` with each "{dep.result.KEY}" filled from `dep_results` (DepResultsJson's text), the
// value shell-quoted. A KEY no result has: NotFound naming it and the dependencies.
Result<std::string> FillDepResults(const std::string& command, const std::string& dep_results);

// `json_text` (a compact JSON document: a task's params, a python task's args) with every
// "{dep.result.KEY}" in its strings filled from `dep_results`: a string that is exactly one
// placeholder becomes the value itself (its JSON type kept: 0.5 stays a number); in a longer
// string each placeholder is replaced by the value's text (a string as it is, anything else as
// JSON), unquoted. A KEY no result has: NotFound as FillDepResults.
Result<std::string> FillDepResultsInJson(const std::string& json_text,
                                         const std::string& dep_results);

}  // namespace allot
