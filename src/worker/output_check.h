// Declared outputs on this machine (model/outputs_spec.h): which files a task's patterns
// match after its process exited 0, and their manifest (size and SHA-256 each).
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "model/output_manifest.h"

namespace allot {

// The files `patterns` match, relative ones under `cwd` (absolute): each pattern's matches in
// sorted order, a directory standing for the regular files under it (sorted), each file once,
// as absolute paths. NotFound saying which when a pattern matches no file: "declared output
// 'out/*.h5' is missing (nothing matches /runs/3/out/*.h5)".
Result<std::vector<std::string>> MatchOutputs(const std::vector<std::string>& patterns,
                                              const std::string& cwd);

// The size and SHA-256 of each file, in order. IoError naming a file that cannot be read.
Result<std::vector<OutputFile>> DescribeOutputs(const std::vector<std::string>& files);

}  // namespace allot
