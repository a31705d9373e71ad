// Submission: a task as accepted into a campaign, with its dense index and initial state.
#pragma once

#include <cstdint>

#include "model/task_event.h"
#include "model/task_spec.h"

namespace allot {

struct Submission {
  TaskIndex index = 0;  // dense: the n-th submission has index n
  TaskSpec spec;
  TaskState initial_state = TaskState::kReady;  // waiting or ready
  int64_t wall_time_us = 0;
  // The spec holds only what recovering a task that finished needs (id, priority, cores.min,
  // memory_bytes and tags.profile): set by JournalStore::LoadForRecovery for finished tasks.
  bool brief = false;
  bool operator==(const Submission&) const = default;
};

}  // namespace allot
