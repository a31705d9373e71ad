// The scheduling flags `allot run` and `allot server start` share, read one way:
// --preempt-after DURATION|never, --share PROJECT=WEIGHT..., --share-half-life DURATION.
// Each returns InvalidArgument with the message a person sees (flag, value, what is accepted).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time.h"

namespace allot {

// "never": none.
Result<std::optional<Duration>> ParsePreemptAfter(const std::string& text);
// PROJECT=WEIGHT entries, weights positive.
Result<std::map<std::string, double>> ParseShares(const std::vector<std::string>& entries);
Result<Duration> ParseShareHalfLife(const std::string& text);

}  // namespace allot
