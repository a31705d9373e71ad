// SchedulerTaskIds: a scheduler's task ids as HeldTaskIds (model/held_task_ids.h), so that the
// model's one matching of ids and depends_on patterns (HeldTaskIds::Lookup) answers over the
// tasks a server holds: for the depends_on of a submission, and for the task refs of control
// commands, waits and listings (task_refs.h).
//
// Thread-safety: reads the scheduler; use it on the thread that owns it (the server's loop).
// No sorted index of the ids: ForEachWithPrefix is one pass over them.
#pragma once

#include <functional>
#include <string_view>

#include "core/scheduler.h"
#include "model/held_task_ids.h"

namespace allot {

class SchedulerTaskIds : public HeldTaskIds {
 public:
  // `scheduler` must outlive this.
  explicit SchedulerTaskIds(const Scheduler* scheduler) : scheduler_(scheduler) {}

  bool Contains(std::string_view id) const override;
  void ForEachWithPrefix(std::string_view prefix,
                         const std::function<void(std::string_view)>& visit) const override;

 private:
  const Scheduler* scheduler_;
};

}  // namespace allot
