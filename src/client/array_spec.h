// `allot submit --array SPEC`: which indices an array of tasks has.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace allot {

inline constexpr size_t kMaxArrayIndices = 1'000'000;

// SPEC is a comma-separated list of items, each an index N, a range A-B (inclusive), or a
// stepped range A-B:S (A, A+S, ... up to B), e.g. "1-1000", "0-99:2", "1,5,7", "1-3,10-30:10".
// Indices are non-negative integers. Returns them in the order written, or InvalidArgument
// "--array: ..." for a malformed item, a range with B < A or S < 1, an index given twice, or
// more than kMaxArrayIndices indices.
Result<std::vector<int64_t>> ParseArraySpec(std::string_view spec);

}  // namespace allot
