// "Did you mean" suggestions for misspelled field names and ids.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace allot {

// Edit distance with adjacent transpositions counting as one edit (optimal string
// alignment), ignoring ASCII case.
int EditDistance(std::string_view a, std::string_view b);

// The candidate most likely meant by `word`: the closest within max(1, |word| / 3) edits, or
// else one that `word` is a prefix of (at least 3 characters). "" when none is close.
std::string DidYouMean(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace allot
