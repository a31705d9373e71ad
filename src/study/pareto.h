// Pareto fronts of trials with several objectives, each minimized or maximized. Pure.
#pragma once

#include <cstddef>
#include <vector>

#include "study/study_spec.h"

namespace allot {

// Whether `a` dominates `b`: at least as good in every objective and better in one.
// REQUIRES: a, b and goals have the same size.
bool Dominates(const std::vector<double>& a, const std::vector<double>& b,
               const std::vector<Goal>& goals);

// The indices of the points no other point dominates. Equal points do not dominate each
// other, so ties are all on the front. Sorted best first by the first objective, then the
// next ones, then by index. REQUIRES: every point has goals.size() values, none NaN.
std::vector<size_t> ParetoFront(const std::vector<std::vector<double>>& points,
                                const std::vector<Goal>& goals);

}  // namespace allot
