// The trials of a study: each one's name and parameter values, from its sampler. Deterministic:
// the same spec (seed included) gives the same trials, so a resumed study and `allot study
// status` recompute them rather than store them.
//
//   sobol   points 1..N of the Sobol sequence (study/sobol_sequence.h; point 0, all zeros, is
//           skipped) XORed with a digital shift drawn from `seed` (a random digital shift keeps
//           the sequence's equidistribution); needs at most 32 parameters
//   random  independent uniform draws from SplitMix64 seeded with `seed`
//   grid    study/grid_sampler.h
// A coordinate u in [0, 1) becomes: float low + u (high - low) (log: exp of the same in log
// space); int low + floor(u (high - low + 1)) (log: floor(exp(log low + u (log(high + 1) -
// log low)))), kept within [low, high]; choice values[floor(u n)].
// Trials are named t0000, t0001, ... (more digits beyond 10000 trials). Pure.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "model/source_doc.h"
#include "study/study_spec.h"

namespace allot {

struct TrialPoint {
  std::string name;                 // "t0003"
  std::vector<OrderedJson> values;  // one per parameter of spec.space, in its order
};

// The name of trial `index` of `count`.
std::string TrialName(int index, int count);

// The value parameter `p` takes at coordinate u in [0, 1).
OrderedJson MapUnit(const StudyParameter& p, double u);

// spec.trials trials. InvalidArgument when the sampler cannot serve the space (Sobol beyond 32
// parameters).
Result<std::vector<TrialPoint>> SampleTrials(const StudySpec& spec);

}  // namespace allot
