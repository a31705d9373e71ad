// The text `allot study status` prints for a study read from its journal: a header, the
// counts, one row per trial (state, attempts, parameters, objectives), then the best trial
// (one objective) or the Pareto front (several) and the trials that failed to report.
#pragma once

#include <string>

#include "study/study_view.h"

namespace allot {

std::string StudyStatusText(const StudyView& view);
// One line: "40 trials: 31 done, 2 failed, ...; best t0012 f=0.0123" (the end of a run).
std::string StudySummaryLine(const StudyView& view);

}  // namespace allot
