// CampaignPlan: what a task list amounts to before anything runs (`allot plan`): its stages
// (the tasks of one profile, model/task_profile.h), the critical path by expected run time,
// and the work the expected run times add up to.
//
// A task's expected run time here is its time_estimate, else its time_limit (an upper bound:
// the plan is then pessimistic); a task with neither counts as 0 and is counted in
// `without_expected`. Pure and deterministic; O(tasks + dependencies).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time.h"
#include "model/task_spec.h"

namespace allot {

struct PlanStage {
  std::string profile;
  int64_t tasks = 0;
  int cores_min = 0;  // the smallest cores.min of its tasks
  int cores_max = 0;  // the largest cores.max
  int64_t with_expected = 0;       // tasks with a time_estimate or a time_limit
  Duration expected_total{0};      // the sum of those tasks' expected run times
  std::vector<std::string> after;  // the other stages its tasks depend on, sorted
  // Over its tasks, the shortest of the longest chains of dependencies in front of a task
  // (0: one of its tasks depends on nothing); stages are listed by it.
  int64_t depth = 0;
};

struct CampaignPlan {
  int64_t tasks = 0;
  int64_t without_expected = 0;  // neither time_estimate nor time_limit
  std::vector<PlanStage> stages;  // by depth, then by where their first task is in the list
  // The longest chain of dependencies by expected run time, and its task ids, first to last
  // (the first such chain in list order when several are as long).
  Duration critical_path{0};
  std::vector<std::string> critical_chain;
  double core_seconds = 0;  // cores.min x expected run time, summed over the tasks with one
};

// REQUIRES: depends_on names tasks of `tasks` (LoadTaskFile resolves and checks them).
// InvalidArgument naming the task for a dependency that is not in the list or a cycle.
Result<CampaignPlan> PlanCampaign(const std::vector<TaskSpec>& tasks);

}  // namespace allot
