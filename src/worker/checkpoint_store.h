// CheckpointStore: a task's checkpoint sets on disk, as the checkpoint contract has them
// (model/checkpoint_spec.h):
//
//   <root>/1/ ... <root>/N/     sealed sets, each with its files and MANIFEST.json (every file's
//                               path, size and SHA-256); N grows, `keep` newest are retained
//   <root>/N.rejected/          a set found corrupted or incomplete at a restart, kept for a
//                               person to look at and never offered again
//   <root>/.writing-<attempt>/  $ALLOT_CHECKPOINT_OUT of an attempt, sealed when it ends
//
// Prepare, before an attempt starts: picks the newest set whose files match its manifest (the
// attempt's $ALLOT_CHECKPOINT_DIR), rejecting newer ones that do not, and makes an empty
// directory to write into. Seal, after it ended: when it wrote files that hold every pattern of
// `files`, they become set N+1 (each file fsync'ed, the manifest written last, the directory
// renamed into place), and sets beyond `keep` are removed; otherwise what it wrote is removed
// and the report says why. Hashing reads every byte once (libsodium's SHA-256).
//
// Stateless between calls (everything is on disk), so a worker on another node, or a restart,
// sees the same sets. Not safe for two attempts of one task at once (the scheduler never runs
// two). Thread-compatible.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"
#include "model/checkpoint_report.h"
#include "model/checkpoint_spec.h"

namespace allot {

struct PreparedCheckpoint {
  std::string restore_dir;  // the set to continue from; empty: none
  std::string out_dir;      // where the attempt writes its checkpoint
  CheckpointReport report;  // dir, restored, rejected so far
};

class CheckpointStore {
 public:
  // `root`: where the task's sets live (RootFor).
  explicit CheckpointStore(std::string root) : root_(std::move(root)) {}

  // <spec.dir>/<task id>, or <task_dir>/checkpoints when the spec names no dir.
  static std::string RootFor(const CheckpointSpec& spec, const std::string& task_id,
                             const std::string& task_dir);

  // IoError naming the path when the directories cannot be made.
  Result<PreparedCheckpoint> Prepare(uint32_t attempt);
  // Seals what `attempt` wrote, into `report` (sealed or incomplete). `now_us`: the seal time.
  // IoError when the disk fails while sealing (nothing is kept then).
  Status Seal(uint32_t attempt, const CheckpointSpec& spec, int64_t now_us,
              CheckpointReport* report);
  // Removes what `attempt` wrote without sealing it; whether it had written anything.
  bool Discard(uint32_t attempt);
  // OK when the set at `set_dir` matches its MANIFEST.json; else Corruption saying what differs
  // ("state.bin: SHA-256 differs from its manifest"). `manifest` (may be null) gets it.
  static Status Verify(const std::string& set_dir, CheckpointManifest* manifest);

  const std::string& root() const { return root_; }

 private:
  std::string root_;
};

// The SHA-256 of the file at `path` in hex; IoError naming it when it cannot be read.
Result<std::string> Sha256OfFile(const std::string& path, int64_t* size);

}  // namespace allot
