#include "study/study_view.h"

namespace allot {

Result<std::optional<StudyView>> StudyFromJournal(
    std::span<const std::pair<std::string, std::string>> meta,
    std::span<const Submission> submissions, std::span<const TaskEvent> events) {
  const std::string* stored = nullptr;
  for (const auto& [key, value] : meta) {
    if (key == kStudyMetaKey) stored = &value;
  }
  if (stored == nullptr) return std::optional<StudyView>();
  StudyView view;
  ALLOT_ASSIGN_OR_RETURN(view.spec, StudySpecFromJson(*stored));
  ALLOT_ASSIGN_OR_RETURN(view.trials, SampleTrials(view.spec));
  view.results = BuildStudyResults(view.spec, view.trials, submissions, events);
  return std::optional<StudyView>(std::move(view));
}

}  // namespace allot
