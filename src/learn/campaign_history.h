// CampaignHistory: what a campaign's journal teaches: per-profile learned requirements (from
// every ended attempt, in the order they ended) and the unfinished work as a forecast input.
// Used by `allot profiles` and `allot forecast`, for `allot run` journals and servers alike.
// Pure functions of JournalContents; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "core/forecast/forecast_input.h"
#include "core/profile/profile_store.h"
#include "journal/journal_store.h"
#include "model/task_spec.h"

namespace allot {

// The profile of a task: tags.profile, else its id without the trailing numbers a sweep
// substitutes ("sim-10-3" -> "sim"), as `allot report --by profile` groups them.
std::string ProfileOf(const TaskSpec& spec);

// Every ended attempt of the journal, recorded into a fresh store.
ProfileStore LearnProfiles(const JournalContents& contents);

struct UnfinishedWork {
  ForecastInput input;
  std::vector<TaskIndex> tasks;  // journal index of each forecast task
  int64_t first_event_us = 0;    // when the campaign started (its first transition); 0: none
  double spent_core_seconds = 0;   // allocated core-seconds of the attempts that ended
};

// The tasks that are not finished (waiting, ready, running, paused, lost, preempted) with
// their dependencies among themselves, running ones with their elapsed time at `now_us`, on
// workers of `worker_cores` cores each. InvalidArgument when there are no workers.
Result<UnfinishedWork> CollectUnfinished(const JournalContents& contents,
                                         const std::vector<int>& worker_cores, int64_t now_us);

}  // namespace allot
