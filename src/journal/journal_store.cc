#include "journal/journal_store.h"

#include "model/task_state.h"

namespace allot {

Status JournalStore::LoadForRecovery(RecoveryConsumer* consumer) {
  ALLOT_ASSIGN_OR_RETURN(JournalContents contents, Load());
  return FeedRecovery(contents, consumer);
}

Result<std::optional<std::string>> JournalStore::GetMeta(const std::string& key) {
  ALLOT_ASSIGN_OR_RETURN(JournalContents contents, Load());
  std::optional<std::string> value;
  for (const auto& [k, v] : contents.meta) {
    if (k == key) value = v;
  }
  return value;
}

Result<std::vector<MetricPoint>> JournalStore::LoadMetrics() {
  ALLOT_ASSIGN_OR_RETURN(JournalContents contents, Load());
  return std::move(contents.metrics);
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
