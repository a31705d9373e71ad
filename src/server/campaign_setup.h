// Starting and resuming a campaign: putting its tasks into the scheduler and the journal.
// Both validate everything before they write anything, so bad input leaves the journal as it
// was, and both commit before any task can start.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "core/scheduler.h"
#include "journal/journal_store.h"
#include "model/task_file.h"

namespace allot {

// Submits `tasks` to a fresh scheduler and commits them, with the campaign's metadata, to an
// empty journal.
Status StartCampaign(Scheduler* scheduler, JournalStore* journal, std::vector<TaskSpec> tasks,
                     const std::string& task_file);

// Rebuilds the scheduler from the journal; interrupted attempts go back to ready (their next
// start is attempt + 1). When `file_tasks` is given, tasks with new ids are added; a task whose
// id is in the journal must be unchanged. InvalidArgument, writing nothing, when a task changed
// or an unfinished task no longer fits `capacity`.
Status ResumeCampaign(Scheduler* scheduler, JournalStore* journal,
                      const std::vector<TaskSpec>* file_tasks, const MachineCapacity& capacity);

// The first field (as task_spec_json.h names it) in which `file` differs from `journal`, and in
// `message` "differs from the journal's copy (journal: ..., file: ...)" with a hint where one
// helps; "" when they are equal.
std::string FirstDifference(const TaskSpec& journal, const TaskSpec& file, std::string* message);

// Appends and commits what the scheduler's outbox holds to persist; clears those parts.
Status PersistOutbox(Scheduler* scheduler, JournalStore* journal);

}  // namespace allot
