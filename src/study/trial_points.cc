#include "study/trial_points.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include <fmt/format.h>

#include "common/rng.h"
#include "study/grid_sampler.h"
#include "study/sobol_sequence.h"

namespace allot {

std::string TrialName(int index, int count) {
  int width = 4;
  for (int n = 10000; n < count; n *= 10) ++width;
  return fmt::format("t{:0{}d}", index, width);
}

OrderedJson MapUnit(const StudyParameter& p, double u) {
  u = std::clamp(u, 0.0, std::nextafter(1.0, 0.0));
  switch (p.type) {
    case ParameterType::kFloat:
      if (p.log) return std::exp(std::log(p.low) + u * (std::log(p.high) - std::log(p.low)));
      return p.low + u * (p.high - p.low);
    case ParameterType::kInt: {
      double v = p.log ? std::floor(std::exp(std::log(p.low) +
                                             u * (std::log(p.high + 1) - std::log(p.low))))
                       : p.low + std::floor(u * (p.high - p.low + 1));
      v = std::clamp(v, p.low, p.high);
      return static_cast<int64_t>(std::llround(v));
    }
    case ParameterType::kChoice: {
      const size_t n = p.values.size();
      return p.values[std::min(n - 1, static_cast<size_t>(u * static_cast<double>(n)))];
    }
  }
  return nullptr;
}

Result<std::vector<TrialPoint>> SampleTrials(const StudySpec& spec) {
  const size_t dims = spec.space.size();
  std::vector<TrialPoint> trials;
  if (spec.sampler == SamplerKind::kGrid) {
    std::vector<std::vector<OrderedJson>> grid = GridPoints(spec);
    for (size_t i = 0; i < grid.size(); ++i) {
      trials.push_back({TrialName(static_cast<int>(i), static_cast<int>(grid.size())),
                        std::move(grid[i])});
    }
    return trials;
  }
  if (spec.sampler == SamplerKind::kSobol &&
      dims > static_cast<size_t>(SobolSequence::kMaxDimensions)) {
    return Status::InvalidArgument(fmt::format(
        "sampler sobol: at most {} parameters (the space has {}); use sampler: random",
        SobolSequence::kMaxDimensions, dims));
  }
  SplitMixRng rng(spec.seed);
  std::vector<uint32_t> shift(dims);
  for (uint32_t& s : shift) s = static_cast<uint32_t>(rng.Next() >> 32);
  SobolSequence sobol(std::max<int>(1, static_cast<int>(dims)));
  std::vector<uint32_t> bits;
  for (int i = 0; i < spec.trials; ++i) {
    TrialPoint t;
    t.name = TrialName(i, spec.trials);
    if (spec.sampler == SamplerKind::kSobol) sobol.NextBits(&bits);
    for (size_t d = 0; d < dims; ++d) {
      const double u = spec.sampler == SamplerKind::kSobol
                           ? static_cast<uint32_t>(bits[d] ^ shift[d]) * 0x1.0p-32
                           : rng.UniformDouble();
      t.values.push_back(MapUnit(spec.space[d], u));
    }
    trials.push_back(std::move(t));
  }
  return trials;
}

}  // namespace allot
