// CampaignTotals: sums over every attempt that ended, for summaries.
#pragma once

#include <cstdint>

#include "common/time.h"

namespace allot {

struct CampaignTotals {
  Duration cpu{0};         // user + sys of all attempts
  Duration task_wall{0};   // sum of attempt wall times
  uint64_t attempts_ended = 0;
};

}  // namespace allot
