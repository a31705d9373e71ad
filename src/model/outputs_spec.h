// OutputsSpec: what a task declares it produces (`outputs:` and `validate:` in a task file).
//
// The contract:
//  - `paths` are files or glob patterns, absolute or relative to the task's working directory
//    (its output directory unless `workdir` says otherwise). After the process exits 0, each
//    must match at least one file (a directory counts the files under it); else the attempt
//    fails: "declared output 'x' is missing".
//  - `validate`, when set, is a shell command run next, in the same directory and environment,
//    with $ALLOT_OUTPUTS holding the matched files (one per line); a non-zero exit fails the
//    attempt with its exit and the last lines of its stderr (validate.stderr in the task's
//    directory).
//  - Then each file's size and SHA-256 are journaled with the success (AttemptUsage::outputs,
//    model/output_manifest.h), and the task's dependents get them at launch: $ALLOT_INPUTS
//    (one per line, in depends_on order) and "{dep.outputs}" in the command (shell-quoted,
//    space-separated).
// A failed attempt is a failure of the task's own: it retries within max_retries.
// Plain data; thread-compatible.
#pragma once

#include <string>
#include <vector>

namespace allot {

struct OutputsSpec {
  std::vector<std::string> paths;  // files or patterns; may be empty when only validate is set
  std::string validate;            // a shell command; empty: none
  bool operator==(const OutputsSpec&) const = default;
};

}  // namespace allot
