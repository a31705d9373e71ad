// CheckpointSpec: a task's checkpoint contract (`checkpoint:` in a task file), after parsing.
//
// The contract, as HTCondor's checkpoint exit code and SCR's checksummed sets have it:
//  - Allot asks for a checkpoint by sending `signal` to the attempt's whole process group: on
//    preemption, a drain, the allocation's end, `allot checkpoint REF`, and every `every` of
//    running time.
//  - The task writes its checkpoint into $ALLOT_CHECKPOINT_OUT (a fresh, empty directory) and
//    exits with `exit_code`: "checkpointed, restart me" (not a failure, not a retry). It may
//    also exit so on its own schedule.
//  - Allot then seals what it wrote into a numbered set (worker/checkpoint_store.h): every file
//    with its size and SHA-256 in a manifest, journaled with the attempt's end. A set missing
//    one of `files` is incomplete, reported, and not kept.
//  - The next attempt gets $ALLOT_CHECKPOINT_DIR: the newest set whose files still match its
//    manifest; a corrupted one is reported and an older one used. `keep` sets are retained.
// Plain data; thread-compatible.
#pragma once

#include <csignal>
#include <optional>
#include <string>
#include <vector>

#include "common/time.h"

namespace allot {

struct CheckpointSpec {
  int signal = SIGTERM;  // asks the process group for a checkpoint
  // After the signal of a preemption, drain or allocation end: how long it may take to write
  // the checkpoint and exit before SIGKILL.
  Duration grace = std::chrono::seconds(60);
  std::optional<Duration> every;  // ask every this much running time; none: never on a timer
  // Patterns (glob, relative to the set's directory) each of which a complete set matches.
  // Empty: any set with at least one file is complete.
  std::vector<std::string> files;
  int exit_code = 85;  // the exit code that means "checkpointed, restart me" (HTCondor's 85)
  int keep = 2;        // complete sets retained, newest first (at least 1)
  // Where the sets live: <dir>/<task id>/ (absolute once loaded; a path every worker sees).
  // Empty: <the task's output directory>/checkpoints.
  std::string dir;
  bool operator==(const CheckpointSpec&) const = default;
};

}  // namespace allot
