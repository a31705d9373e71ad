// Compiling a study into an ordinary workflow document (model/task_file.h), which `allot run`'s
// code path then loads and runs: the study is a campaign like any other, with its journal,
// resume, status and report.
//
// Each task of the trial becomes one task template swept over the trials with
//   sweep: {zip: {trial: [t0000, t0001, ...], <param>: [values...], ...}}
// so "{trial}" and "{<param>}" may be written anywhere a sweep substitutes (command, params,
// env, workdir, tags, ...). Ids: a task body's is the trial's name ("t0003"); a trial
// workflow's task `simulate` is "t0003-simulate", and its depends_on names are mapped the same
// way. Each task also gets:
//   tags       {scenario: "{trial}", study: NAME} over its own (a scenario policy groups by
//              trial; `allot report --by scenario` accounts per trial)
//   resources  study_trials: 1 over its own; the run offers study_trials = parallel, so at
//              most `parallel` trial tasks run at once
//   workdir    "." when it names none: the study file's directory (the file's relative paths
//              resolve there, so `python: {module: sim.py}` beside it is found)
//   params     python and script tasks that write none: every parameter, {"x": "{x}", ...}
//              (a number stays a number)
// The `scenarios` block is passed through. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/source_doc.h"
#include "study/study_spec.h"
#include "study/trial_points.h"

namespace allot {

// The custom resource that bounds the trials in flight.
inline constexpr std::string_view kStudyResource = "study_trials";

// The workflow document of `spec` over `trials`. REQUIRES: trials.size() == spec.trials, each
// with one value per parameter.
OrderedJson CompileStudy(const StudySpec& spec, const std::vector<TrialPoint>& trials);

// The local ids of the trial's tasks in spec order ({""} for a task body: its id is the
// trial's name), and the id task `local` of trial `trial` has.
std::vector<std::string> TrialTaskIds(const StudySpec& spec);
std::string TrialTaskId(std::string_view trial, std::string_view local);

}  // namespace allot
