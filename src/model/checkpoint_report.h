// CheckpointReport: what one attempt of a checkpointing task did with its checkpoints: the set
// it started from, the sets it found corrupted or incomplete on the way there, and the set it
// left (its manifest: every file's path, size and SHA-256). The worker writes it; it travels
// with the attempt's exit (AttemptUsage::checkpoint, as JSON) into the journal, where
// `allot status` and the next attempt's worker read it.
// Plain data and pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace allot {

struct CheckpointFile {
  std::string path;    // relative to the set's directory, '/'-separated
  int64_t size = 0;
  std::string sha256;  // 64 lowercase hex digits
  bool operator==(const CheckpointFile&) const = default;
};

struct CheckpointManifest {
  int set = 0;            // the set's number: 1, 2, ... in the order they were sealed
  uint32_t attempt = 0;   // the attempt that wrote it
  int64_t sealed_us = 0;  // when it was sealed, Unix microseconds
  std::vector<CheckpointFile> files;  // sorted by path
  int64_t bytes() const;
  bool operator==(const CheckpointManifest&) const = default;
};

struct CheckpointReport {
  std::string dir;               // where the task's sets live
  std::optional<int> restored;   // the set this attempt started from; none: from the beginning
  std::vector<std::string> rejected;  // "set 3: state.bin: SHA-256 differs from its manifest"
  std::optional<CheckpointManifest> sealed;  // the set it left
  std::string incomplete;  // why what it wrote was not kept ("missing 'state.bin'")
  bool empty() const {
    return !restored && rejected.empty() && !sealed && incomplete.empty();
  }
  bool operator==(const CheckpointReport&) const = default;
};

std::string CheckpointManifestToJson(const CheckpointManifest& m);
Result<CheckpointManifest> CheckpointManifestFromJson(std::string_view text);
// Compact JSON (the journal's events.checkpoint column, the worker's exit message).
std::string CheckpointReportToJson(const CheckpointReport& r);
// Corruption naming what is wrong when `text` is not a report.
Result<CheckpointReport> CheckpointReportFromJson(std::string_view text);
// Whether the record `json` says the attempt left a complete set (false for a record that does
// not parse: the journal's reader then shows the raw text).
bool CheckpointRecordSealsASet(std::string_view json);
// For people, one line: "from set 2; set 3 rejected (state.bin: SHA-256 differs ...); left set
// 4 (2 files, 16 MiB)".
std::string DescribeCheckpointReport(const CheckpointReport& r);

}  // namespace allot
