// The grid sampler: every combination of each parameter's grid values, the first parameter
// slowest (as a workflow sweep's grid). A float parameter has `points` values from low to high
// inclusive, evenly spaced (geometrically with log: true); an int parameter every whole number
// from low to high; a choice each of its values. Pure.
#pragma once

#include <cstdint>
#include <vector>

#include "model/source_doc.h"
#include "study/study_spec.h"

namespace allot {

// How many values parameter `p` has on the grid.
uint64_t GridValueCount(const StudyParameter& p, int points);
// The product of GridValueCount over the space, saturating at UINT64_MAX.
uint64_t GridPointCount(const StudySpec& spec);
// Value `i` of parameter `p` on the grid. REQUIRES: i < GridValueCount(p, points).
OrderedJson GridValue(const StudyParameter& p, int points, uint64_t i);
// Every point of the grid, each one value per parameter of spec.space.
// REQUIRES: GridPointCount(spec) fits in memory (the parser caps it at 100000).
std::vector<std::vector<OrderedJson>> GridPoints(const StudySpec& spec);

}  // namespace allot
