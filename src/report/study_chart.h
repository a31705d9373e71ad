// The study section of the HTML report, for a journal that belongs to an `allot study`
// (study/study_view.h): a heading with the trial counts, one inline <svg id="study"> and a
// table of the best trials. The chart:
//   one objective   its value per trial (circle.trial, x the trial's index, y the value) and
//                   the best so far over the trials (path.best-so-far, a step line)
//   several         a scatter of the first two objectives of the done trials (circle.trial)
//                   with the Pareto front (over all objectives) highlighted (circle.front,
//                   joined by path.front in front order)
// Each circle has a <title> naming the trial, its objectives and parameters. Pure.
#pragma once

#include <string>

#include "study/study_view.h"

namespace allot {

std::string StudySvg(const StudyView& view);
std::string StudySectionHtml(const StudyView& view);

}  // namespace allot
