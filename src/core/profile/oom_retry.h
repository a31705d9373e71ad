// The memory a task gets on its next attempt after one was killed for memory: grow-only, and
// only that resource (cores and time stay as they were).
#pragma once

#include <cstdint>
#include <optional>

namespace allot {

// max(2 x current, 1.25 x peak), rounded up to 64 MiB (kMemoryGranularityBytes), capped at
// `cap`; always more than `current`. None when current >= cap: no more memory may be given,
// so the task fails. `current` 0 (no limit was set) grows from the peak alone.
// `cap` is the user's cap; where they gave none, pass the most memory any worker has.
// REQUIRES: current >= 0, peak >= 0, cap > 0.
std::optional<int64_t> NextMemoryAfterOom(int64_t current, int64_t peak, int64_t cap);

}  // namespace allot
