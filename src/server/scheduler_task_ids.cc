#include "server/scheduler_task_ids.h"

#include <string>

namespace allot {

bool SchedulerTaskIds::Contains(std::string_view id) const {
  return scheduler_->Find(id).has_value();
}

void SchedulerTaskIds::ForEachWithPrefix(
    std::string_view prefix, const std::function<void(std::string_view)>& visit) const {
  for (TaskIndex t = 0; t < scheduler_->task_count(); ++t) {
    const std::string& id = scheduler_->id(t);
    if (id.compare(0, prefix.size(), prefix) == 0) visit(id);
  }
}

}  // namespace allot
