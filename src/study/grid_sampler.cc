#include "study/grid_sampler.h"

#include <cmath>
#include <limits>

namespace allot {

uint64_t GridValueCount(const StudyParameter& p, int points) {
  switch (p.type) {
    case ParameterType::kFloat: return static_cast<uint64_t>(points);
    case ParameterType::kInt: return static_cast<uint64_t>(std::llround(p.high - p.low)) + 1;
    case ParameterType::kChoice: return p.values.size();
  }
  return 0;
}

uint64_t GridPointCount(const StudySpec& spec) {
  uint64_t n = 1;
  for (const StudyParameter& p : spec.space) {
    const uint64_t k = GridValueCount(p, spec.points);
    if (k != 0 && n > std::numeric_limits<uint64_t>::max() / k) {
      return std::numeric_limits<uint64_t>::max();
    }
    n *= k;
  }
  return n;
}

OrderedJson GridValue(const StudyParameter& p, int points, uint64_t i) {
  switch (p.type) {
    case ParameterType::kFloat: {
      if (i + 1 == static_cast<uint64_t>(points)) return p.high;  // exactly, not by rounding
      const double t = static_cast<double>(i) / (points - 1);
      if (p.log) return std::exp(std::log(p.low) + t * (std::log(p.high) - std::log(p.low)));
      return p.low + t * (p.high - p.low);
    }
    case ParameterType::kInt:
      return static_cast<int64_t>(std::llround(p.low)) + static_cast<int64_t>(i);
    case ParameterType::kChoice:
      return p.values[i];
  }
  return nullptr;
}

std::vector<std::vector<OrderedJson>> GridPoints(const StudySpec& spec) {
  const uint64_t total = GridPointCount(spec);
  std::vector<std::vector<OrderedJson>> out;
  out.reserve(total);
  for (uint64_t row = 0; row < total; ++row) {
    std::vector<OrderedJson> point(spec.space.size());
    uint64_t rest = row;
    for (size_t d = spec.space.size(); d-- > 0;) {  // the last parameter fastest
      const uint64_t k = GridValueCount(spec.space[d], spec.points);
      point[d] = GridValue(spec.space[d], spec.points, rest % k);
      rest /= k;
    }
    out.push_back(std::move(point));
  }
  return out;
}

}  // namespace allot
