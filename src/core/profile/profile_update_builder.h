// Builds the profile-update record (model/profile_update.h) from what a profile has learned.
#pragma once

#include <optional>
#include <string>

#include "core/profile/profile_stats.h"
#include "model/profile_update.h"

namespace allot {

// None while the profile has learned nothing (LearnRequest is none). Otherwise:
//   time:    the learned time estimate (P90 of successful walls);
//   memory:  {learned request (P95 peak x 1.2, rounded up to 64 MiB),
//             max peak x 1.2 rounded up the same way}, absent when no peak was measured;
//   cpus:    {mean cores used rounded to nearest, max cores used rounded up}, both >= 1;
//            0.1 core of measurement noise is forgiven before rounding up (1.04 -> 1);
//   threads: the same as cpus: the parallelism a task achieved is the thread count worth
//            asking for (threads themselves are not counted).
std::optional<ProfileUpdate> BuildProfileUpdate(const ProfileStats& stats,
                                                std::optional<std::string> task_id = {});

}  // namespace allot
