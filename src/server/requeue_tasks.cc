#include "server/requeue_tasks.h"

#include <unordered_map>

#include "journal/journal_store.h"
#include "model/glob.h"
#include "server/campaign_setup.h"

namespace allot {

Result<std::vector<TaskIndex>> ResolveRequeueRefs(const Scheduler& scheduler,
                                                  const std::vector<std::string>& refs) {
  std::vector<TaskIndex> out;
  for (const std::string& ref : refs) {
    if (std::optional<TaskIndex> t = scheduler.Find(ref)) {
      out.push_back(*t);
      continue;
    }
    if (!IsGlobPattern(ref)) return Status::NotFound("no task '" + ref + "'");
    const size_t before = out.size();
    for (TaskIndex t = 0; t < scheduler.task_count(); ++t) {
      if (GlobMatch(ref, scheduler.id(t))) out.push_back(t);
    }
    if (out.size() == before) return Status::NotFound("no task matches '" + ref + "'");
  }
  return out;
}

std::vector<TaskIndex> TasksIn(const Scheduler& scheduler, std::span<const TaskState> states) {
  std::vector<TaskIndex> out;
  for (TaskIndex t = 0; t < scheduler.task_count(); ++t) {
    for (TaskState s : states) {
      if (scheduler.state(t) == s) {
        out.push_back(t);
        break;
      }
    }
  }
  return out;
}

Status RequeueTasks(Scheduler* scheduler, std::span<const TaskIndex> roots,
                    const SpecReader& read_spec, std::vector<TaskIndex>* requeued) {
  // Refuse before reading anything: the roots' states say most refusals.
  for (TaskIndex t : roots) ALLOT_RETURN_IF_ERROR(scheduler->CheckRequeue(t));
  std::unordered_map<TaskIndex, TaskSpec> specs;
  for (TaskIndex t : scheduler->RequeueSet(roots)) {
    ALLOT_ASSIGN_OR_RETURN(TaskSpec spec, read_spec(t));
    specs.emplace(t, std::move(spec));
  }
  return scheduler->Requeue(roots, std::move(specs), requeued);
}

Result<int> RequeueUnsuccessful(Scheduler* scheduler, JournalStore* journal) {
  const TaskState states[] = {TaskState::kFailed, TaskState::kCanceled};
  std::vector<TaskIndex> roots = TasksIn(*scheduler, states);
  if (roots.empty()) return 0;
  ALLOT_ASSIGN_OR_RETURN(JournalContents contents, journal->Load());
  std::vector<TaskIndex> requeued;
  ALLOT_RETURN_IF_ERROR(RequeueTasks(
      scheduler, roots,
      [&contents](TaskIndex t) -> Result<TaskSpec> {
        if (t >= contents.submissions.size()) {
          return Status::Corruption("journal: no submission of task index " + std::to_string(t));
        }
        return contents.submissions[t].spec;
      },
      &requeued));
  ALLOT_RETURN_IF_ERROR(PersistOutbox(scheduler, journal));
  return static_cast<int>(requeued.size());
}

}  // namespace allot
