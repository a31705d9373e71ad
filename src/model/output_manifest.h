// OutputManifest: what an attempt produced of its declared outputs (model/outputs_spec.h):
// each file's absolute path, size and SHA-256, in the order the patterns matched them. Kept
// as JSON in AttemptUsage::outputs and the journal (events.outputs):
//   [{"path": "/abs/out.h5", "size": 1234, "sha256": "<64 hex>"}, ...]
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"

namespace allot {

struct OutputFile {
  std::string path;  // absolute
  int64_t size = 0;
  std::string sha256;  // lower-case hex
  bool operator==(const OutputFile&) const = default;
};

std::string OutputManifestToJson(const std::vector<OutputFile>& files);
// Corruption naming what is wrong when `json` is not a manifest.
Result<std::vector<OutputFile>> OutputManifestFromJson(const std::string& json);
// The paths of a manifest, in order; none when it is empty or not a manifest.
std::vector<std::string> OutputManifestPaths(const std::string& json);

}  // namespace allot
