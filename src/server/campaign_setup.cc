#include "server/campaign_setup.h"

#include "model/task_spec_json.h"
#include "server/scheduler_recovery.h"

namespace allot {

Status PersistOutbox(Scheduler* scheduler, JournalStore* journal) {
  Outbox* out = scheduler->outbox();
  ALLOT_RETURN_IF_ERROR(journal->AppendSubmissions(out->submissions));
  ALLOT_RETURN_IF_ERROR(journal->AppendEvents(out->events));
  ALLOT_RETURN_IF_ERROR(journal->Commit());
  out->submissions.clear();
  out->events.clear();
  return Status::Ok();
}

Status StartCampaign(Scheduler* scheduler, JournalStore* journal, std::vector<TaskSpec> tasks,
                     const std::string& task_file) {
  ALLOT_RETURN_IF_ERROR(scheduler->Submit(std::move(tasks)));
  ALLOT_RETURN_IF_ERROR(journal->PutMeta("task_file", task_file));
  ALLOT_RETURN_IF_ERROR(
      journal->PutMeta("cores", std::to_string(scheduler->pool().Capacity().cores)));
  return PersistOutbox(scheduler, journal);
}

Status ResumeCampaign(Scheduler* scheduler, JournalStore* journal,
                      const std::vector<TaskSpec>* file_tasks, const MachineCapacity& capacity) {
  // Comparing the file's tasks with the journal's needs every spec, finished or not.
  JournalContents contents;
  if (file_tasks != nullptr) {
    ALLOT_ASSIGN_OR_RETURN(contents, journal->Load());
    ALLOT_RETURN_IF_ERROR(scheduler->Recover(contents.submissions, contents.events));
  } else {
    ALLOT_RETURN_IF_ERROR(
        RecoverFromJournal(journal, scheduler, RecoverMode::kEndInterrupted).status());
  }

  std::vector<TaskSpec> unfinished;
  for (TaskIndex t = 0; t < scheduler->task_count(); ++t) {
    if (!IsTerminal(scheduler->state(t))) unfinished.push_back(scheduler->spec(t));
  }
  std::vector<TaskSpec> added;
  if (file_tasks != nullptr) {
    for (const TaskSpec& spec : *file_tasks) {
      auto existing = scheduler->Find(spec.id);
      if (!existing) {
        added.push_back(spec);
        continue;
      }
      // The journal's copy: the scheduler keeps only part of a finished task's spec.
      TaskSpec before = contents.submissions[*existing].spec;
      before.origin = spec.origin;  // where it was written may move; what it says may not
      if (!(before == spec)) {
        Diagnostic d;
        d.file = spec.origin.file;
        d.line = spec.origin.line;
        d.task_id = spec.id;
        d.message =
            "differs from the journal's copy; a resumed campaign runs the tasks it started "
            "with (give changed tasks new ids, or start a new campaign)";
        return Status::InvalidArgument(d.ToString()).WithDiagnostics({d});
      }
    }
  }
  std::vector<Diagnostic> diagnostics;
  CheckFitsMachine(unfinished, capacity, &diagnostics);
  CheckFitsMachine(added, capacity, &diagnostics);
  if (!diagnostics.empty()) {
    return Status::InvalidArgument(FormatDiagnostics(diagnostics)).WithDiagnostics(diagnostics);
  }
  if (!added.empty()) ALLOT_RETURN_IF_ERROR(scheduler->Submit(std::move(added)));
  return PersistOutbox(scheduler, journal);
}

}  // namespace allot
