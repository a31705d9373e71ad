// `allot study`: parameter studies without Python glue.
//   allot study run STUDY.yaml [--workdir DIR] [run flags]   samples the space, compiles the
//       trials into a workflow (study/study_workflow.h) and runs it through `allot run`'s path;
//       on an existing workdir it resumes (finished trials are not rerun) unless the study
//       file changed, which is refused (exit 2)
//   allot study status [--workdir DIR | --db FILE] [--json]  per trial state, parameters and
//       objectives, counts, the best trial or the Pareto front (study/study_results.h)
#pragma once

#include <CLI/CLI.hpp>

namespace allot {

void AddStudyCommand(CLI::App* app, int* exit_code);

}  // namespace allot
