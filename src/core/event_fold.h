// EventFold: the one place that says what a TaskEvent does to a task's record. The Scheduler
// applies every event it emits through it, and Recover applies a journal's events through it,
// so a restarted scheduler holds exactly the records of the one that wrote the journal.
//
// Apply(e), for a checked event:
//   1. state and counts; a task reaching a terminal state releases its spec (TaskTable);
//   2. an attempt starts (model: StartsAttempt): attempts = e.attempt; what it holds (cores,
//      memory) is remembered for step 6;
//   3. a requeue (model: IsRequeue): a fresh retry budget (requeued_after = attempts, crashes
//      and memory retries 0); -> lost or preempted: crashes + 1;
//   4. -> ready with memory_bytes: the task's memory request grew to it; memory_retries + 1;
//   5. -> skipped by a person: dependents treat it as succeeded;
//   6. with usage: the last exit, the totals, and, when the attempt ended by itself (model:
//      EndTeachesProfile), its profile learns from it;
//   7. -> succeeded with declared outputs or a result: the files it produced
//      (TaskTable::outputs) and what it returned (TaskTable::result), which its dependents get;
//      leaving succeeded forgets them;
//   8. -> succeeded, or skipped by a person: each dependent has one unmet dependency fewer.
// Not thread-safe; owned by the Scheduler, like the parts it updates.
#pragma once

#include <vector>

#include "common/status.h"
#include "core/campaign_totals.h"
#include "core/profile/profile_learner.h"
#include "core/task_graph.h"
#include "core/task_table.h"
#include "model/task_event.h"

namespace allot {

class EventFold {
 public:
  // All must outlive the fold.
  EventFold(TaskTable* tasks, TaskGraph* graph, ProfileLearner* learner, CampaignTotals* totals)
      : tasks_(tasks), graph_(graph), learner_(learner), totals_(totals) {}

  // OK when `e` can happen now: a known task, in e.from, and from -> to in the transition
  // table. Else Corruption (a journal's event) naming the task and the states.
  Status Check(const TaskEvent& e) const;

  // Applies `e` as above. REQUIRES: Check(e) is OK. *freed (may be null) gets the dependents
  // of step 7 that have no unmet dependency left, in dependents order. `spec`, when given, is
  // the task's spec for step 6 (a replay reads it from the journal: the table may hold none).
  void Apply(const TaskEvent& e, std::vector<TaskIndex>* freed, const TaskSpec* spec = nullptr);

 private:
  TaskTable* tasks_;
  TaskGraph* graph_;
  ProfileLearner* learner_;
  CampaignTotals* totals_;
};

}  // namespace allot
