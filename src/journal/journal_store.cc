#include "journal/journal_store.h"

#include "model/task_state.h"

namespace allot {

Status JournalStore::LoadForRecovery(RecoveryConsumer* consumer) {
  ALLOT_ASSIGN_OR_RETURN(JournalContents contents, Load());
  return FeedRecovery(contents, consumer);
}

Status FeedRecovery(JournalContents& contents, RecoveryConsumer* consumer) {
  std::vector<bool> finished(contents.submissions.size(), false);
  for (const TaskEvent& e : contents.events) {
    if (e.task < finished.size()) finished[e.task] = IsTerminal(e.to);
  }
  ALLOT_RETURN_IF_ERROR(consumer->OnTasks(contents.submissions, finished));
  return consumer->OnEvents(contents.events);
}

}  // namespace allot
