#include "server/campaign_setup.h"

#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "model/task_spec_json.h"
#include "server/scheduler_recovery.h"

namespace allot {

Status PersistOutbox(Scheduler* scheduler, JournalStore* journal) {
  Outbox* out = scheduler->outbox();
  ALLOT_RETURN_IF_ERROR(journal->AppendSubmissions(out->submissions));
  ALLOT_RETURN_IF_ERROR(journal->AppendEvents(out->events));
  for (const auto& [key, value] : out->meta) ALLOT_RETURN_IF_ERROR(journal->PutMeta(key, value));
  ALLOT_RETURN_IF_ERROR(journal->Commit());
  out->submissions.clear();
  out->events.clear();
  out->meta.clear();
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

namespace {

// `value`'s JSON text; past 130 characters its first and last 60, where paths differ.
std::string Shown(const nlohmann::json& value) {
  std::string text = value.is_null() ? "unset" : value.dump();
  if (text.size() > 130) text = text.substr(0, 60) + "..." + text.substr(text.size() - 60);
  return text;
}

}  // namespace

std::string FirstDifference(const TaskSpec& journal, const TaskSpec& file, std::string* message) {
  const nlohmann::json a = TaskSpecToJson(journal);
  const nlohmann::json b = TaskSpecToJson(file);
  std::set<std::string> keys;
  for (const auto& [key, value] : a.items()) keys.insert(key);
  for (const auto& [key, value] : b.items()) keys.insert(key);
  for (const std::string& key : keys) {
    const nlohmann::json va = a.contains(key) ? a[key] : nlohmann::json();
    const nlohmann::json vb = b.contains(key) ? b[key] : nlohmann::json();
    if (va != vb) {
      *message = "differs from the journal's copy (journal: " + Shown(va) + ", file: " +
                 Shown(vb) + ")";
      if (key == "workdir") {
        *message += "; a task without a workdir runs where allot was started: resume from there";
      }
      return key;
    }
  }
  *message = "differs from the journal's copy";
  return "";
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
        d.field = FirstDifference(before, spec, &d.message);
        d.message +=
            "; a resumed campaign runs the tasks it started "
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
