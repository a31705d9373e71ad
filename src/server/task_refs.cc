#include "server/task_refs.h"

#include "model/glob.h"
#include "model/held_task_ids.h"
#include "model/task_id.h"
#include "server/scheduler_task_ids.h"

namespace allot {

Result<std::vector<TaskRef>> ResolveTaskRefs(const Scheduler& scheduler,
                                            const std::vector<std::string>& refs) {
  HeldQuery query;
  for (const std::string& ref : refs) {
    if (IsGlobPattern(ref)) query.patterns.push_back(ref);
  }
  HeldAnswer answer;
  if (!query.patterns.empty()) {
    const SchedulerTaskIds ids(&scheduler);
    ALLOT_ASSIGN_OR_RETURN(answer, ids.Lookup(query));
  }
  std::vector<TaskRef> out;
  size_t pattern = 0;
  for (size_t i = 0; i < refs.size(); ++i) {
    const std::string& ref = refs[i];
    if (IsGlobPattern(ref)) {
      const std::vector<std::string>& matches = answer.matches[pattern++];
      if (matches.empty()) return Status::NotFound("pattern '" + ref + "' matches no task");
      for (const std::string& id : matches) {
        out.push_back(TaskRef{*scheduler.Find(id), std::nullopt, i, true});
      }
      continue;
    }
    if (auto t = scheduler.Find(ref)) {
      out.push_back(TaskRef{*t, std::nullopt, i, false});
      continue;
    }
    if (auto split = SplitExecutionRef(ref)) {
      if (auto t = scheduler.Find(split->first)) {
        out.push_back(TaskRef{*t, split->second, i, false});
        continue;
      }
    }
    return Status::NotFound("no task or execution '" + ref + "'");
  }
  return out;
}

}  // namespace allot
