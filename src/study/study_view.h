// A study read back from its campaign's journal: the spec it was started with (the journal's
// meta kStudyMetaKey), its trials (recomputed: sampling is deterministic) and their results.
// What `allot study status` prints and `allot report` draws. Pure.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "model/submission.h"
#include "model/task_event.h"
#include "study/study_results.h"
#include "study/study_spec.h"
#include "study/trial_points.h"

namespace allot {

struct StudyView {
  StudySpec spec;
  std::vector<TrialPoint> trials;
  StudyResults results;
};

// The study of a journal with this meta, submissions and events; nullopt when the journal is
// not a study's (no kStudyMetaKey). InvalidArgument when the stored spec cannot be read.
Result<std::optional<StudyView>> StudyFromJournal(
    std::span<const std::pair<std::string, std::string>> meta,
    std::span<const Submission> submissions, std::span<const TaskEvent> events);

}  // namespace allot
