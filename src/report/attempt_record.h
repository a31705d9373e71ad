// AttemptRecord: one ended attempt of a task, as accounting sees it: what it held (from the
// transition into running that started it) and what it used (from the transition that ended
// it), from the one fold of events into attempts (model/task_attempt.h). Pure functions of
// JournalContents; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/time.h"
#include "journal/journal_store.h"
#include "model/task_attempt.h"

namespace allot {

struct AttemptRecord {
  TaskIndex task = 0;
  uint32_t attempt = 0;
  int64_t start_us = 0;  // the transition into running (not a resume from paused)
  int64_t end_us = 0;    // the transition out of running/paused that ended it
  int cores = 0;         // held: the size of the cores list
  int gpus = 0;
  int64_t memory_bytes = 0;                // held; 0 when the task asked for no memory
  TaskState outcome = TaskState::kFailed;  // the state the ending transition went to
  AttemptEnd end = AttemptEnd::kFailed;    // how the attempt itself ended (AttemptEndOf)
  std::string reason;                      // of the ending transition
  std::optional<AttemptUsage> usage;       // absent when nothing was measured (e.g. lost)

  // The measured wall time, else end - start (never negative).
  Duration Wall() const;
  // User + system CPU time; 0 when nothing was measured.
  Duration Cpu() const;
  bool succeeded() const { return outcome == TaskState::kSucceeded; }
  // Whether its profile learns from it (the scheduler's rule: model EndTeachesProfile).
  bool TeachesProfile() const { return usage.has_value() && EndTeachesProfile(outcome); }
};

// Every attempt that ended, in the order they ended. Attempts still running or paused are left
// out. An attempt whose start is not in the journal starts at end - wall and held nothing.
std::vector<AttemptRecord> EndedAttempts(const JournalContents& contents);

}  // namespace allot
