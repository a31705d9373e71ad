// Where a study stands, from its campaign's journal: each trial's state, attempts, parameters
// and objective values, the counts, and the best trial (one objective) or the Pareto front
// (several). Pure: it reads the submissions and events it is given (model types), so the CLI
// and the report share it.
//
// A trial's state, from its tasks' (model/task_state.h):
//   running    a task is running or paused, or some have succeeded and others not yet run
//   done       every task succeeded and the merged result has every objective as a number
//   no_result  every task succeeded but an objective is missing or not a number ("failed to
//              report": TrialOutcome::missing names them)
//   failed     a task failed (and none runs)
//   stopped    a task was canceled or skipped (a scenario policy's stop, a person's cancel)
//   pending    nothing started yet
// A trial's result is its tasks' result objects merged key by key in the order the tasks
// succeeded, later ones winning. Only `done` trials compete for best and front.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/source_doc.h"
#include "model/submission.h"
#include "model/task_event.h"
#include "study/study_spec.h"
#include "study/trial_points.h"

namespace allot {

enum class TrialState { kPending, kRunning, kDone, kNoResult, kFailed, kStopped };
inline constexpr TrialState kAllTrialStates[] = {TrialState::kDone,    TrialState::kNoResult,
                                                 TrialState::kFailed,  TrialState::kStopped,
                                                 TrialState::kRunning, TrialState::kPending};
std::string_view TrialStateName(TrialState s);  // "done", "no_result", ...

struct TrialOutcome {
  std::string name;
  std::vector<OrderedJson> params;  // one per parameter of the spec's space
  TrialState state = TrialState::kPending;
  int attempts = 0;  // over its tasks: every attempt started
  OrderedJson result = OrderedJson::object();  // the merged result
  std::vector<std::optional<double>> objectives;  // per spec objective
  std::vector<std::string> missing;  // objectives the result lacks (done but no_result)
  std::string reason;                // why it failed or was stopped, when known
};

struct StudyResults {
  std::vector<TrialOutcome> trials;  // trial order
  std::map<TrialState, int> counts;  // every state, 0 included
  std::optional<size_t> best;        // one objective: the best done trial (first on ties)
  std::vector<size_t> pareto_front;  // several objectives: the front, study/pareto.h order
};

// Folds the journal's submissions and events (journal order) into the study's results.
// Tasks that are not the study's trial tasks are ignored.
StudyResults BuildStudyResults(const StudySpec& spec, const std::vector<TrialPoint>& trials,
                               std::span<const Submission> submissions,
                               std::span<const TaskEvent> events);

// The running best value of the single objective over the trials in trial order (nullopt
// until the first done trial).
std::vector<std::optional<double>> BestSoFar(const StudySpec& spec, const StudyResults& results);

// {study, sampler, objectives, trials: [{trial, state, attempts, params, objectives, missing?,
// reason?}], counts, best | pareto_front}.
OrderedJson StudyResultsToJson(const StudySpec& spec, const StudyResults& results);

}  // namespace allot
