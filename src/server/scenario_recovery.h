// Bringing a recovered campaign's scenario policy back (core/scenario/scenario_board.h): the
// policy it was started with (the journal's meta "scenario_policy") and its tasks' metrics,
// observed again in order, so priorities and stops are what they were. For `allot run
// --resume` and a restarted server alike.
#pragma once

#include <string>

#include "common/status.h"
#include "core/scheduler.h"
#include "journal/journal_store.h"

namespace allot {

// After the scheduler recovered from `journal` (the file at `db_path`, read again for the
// scenarios of tasks that finished before the restart: the scheduler keeps only a brief of
// them). Sets the journal's policy unless the scheduler has one already; then hands it the
// journal's metrics (Scheduler::RestoreMetrics), also without a policy (a task's latest
// metrics). Stops the policy decided and the crash interrupted are made again (their events go
// to the outbox).
Status RestoreScenarios(Scheduler* scheduler, JournalStore* journal, const std::string& db_path);

}  // namespace allot
